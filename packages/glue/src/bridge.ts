// The sync↔async bridge. Evaluation is synchronous and runs in a worker thread; builds are
// asynchronous and run on the host (main) thread. A worker calls `BridgeClient#call`, which posts
// the request on a MessagePort and blocks in `Atomics.wait` on a SharedArrayBuffer; the host runs
// the handler (many at once, for many channels) and, when it settles, posts the reply on the port
// and then flips the flag and `Atomics.notify`s. The woken worker takes the reply off its port with
// `receiveMessageOnPort` (no event loop needed). Errors cross as { name, message, props } and are
// rethrown in the worker as `BridgeRemoteError`.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";

/** What a worker needs to call the host: send it in workerData, with `port` in the transferList. */
export interface BridgeEndpoint {
  readonly port: MessagePort;
  /** Int32Array view, [0] = reply flag (0 waiting, 1 reply ready). */
  readonly signal: SharedArrayBuffer;
}

export type BridgeHandler = (params: unknown) => Promise<unknown> | unknown;
export type BridgeHandlers = Readonly<Record<string, BridgeHandler>>;

interface Request {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** An error as it crosses the bridge (structured-clone safe). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  /** Own enumerable data properties of the error (e.g. BuildError's kind, drvPath, logTail). */
  readonly props: Record<string, unknown>;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

const FLAG = 0;
const WAITING = 0;
const READY = 1;

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    try {
      structuredClone(v);
      props[k] = v;
    } catch {
      // not cloneable: dropped
    }
  }
  return { name: e.name, message: e.message, props };
}

/** An error thrown by a host handler, rethrown in the worker. `remoteName` is the original's name. */
export class BridgeRemoteError extends Error {
  override readonly name = "BridgeRemoteError";
  readonly remoteName: string;
  readonly props: Record<string, unknown>;
  constructor(e: SerializedError) {
    super(e.message);
    this.remoteName = e.name;
    this.props = e.props;
  }
}

export interface BridgeHost {
  /** A new channel for one worker (each worker blocks on its own flag). */
  openChannel(): { endpoint: BridgeEndpoint; transferList: MessagePort[] };
  /** Requests being handled now. */
  readonly pending: number;
  /** Close every channel (a worker still waiting would wait forever: close only after it exited). */
  close(): void;
}

/** Host side: serve `handlers` to any number of workers. */
export function createBridgeHost(handlers: BridgeHandlers): BridgeHost {
  const ports: MessagePort[] = [];
  let pending = 0;
  return {
    get pending() {
      return pending;
    },
    openChannel() {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(4);
      const flag = new Int32Array(signal);
      ports.push(port2);
      const reply = (r: Reply) => {
        pending--;
        try {
          port2.postMessage(r);
        } catch (e) {
          // e.g. a value that cannot be cloned: report that instead
          port2.postMessage({ id: r.id, ok: false, error: serializeError(e) } satisfies Reply);
        }
        Atomics.store(flag, FLAG, READY);
        Atomics.notify(flag, FLAG);
      };
      port2.on("message", (req: Request) => {
        pending++;
        const handler = Object.prototype.hasOwnProperty.call(handlers, req.method)
          ? handlers[req.method]
          : undefined;
        if (handler === undefined) {
          reply({
            id: req.id,
            ok: false,
            error: serializeError(new Error(`unknown bridge method '${req.method}'`)),
          });
          return;
        }
        let result: Promise<unknown>;
        try {
          result = Promise.resolve(handler(req.params));
        } catch (e) {
          result = Promise.reject(e);
        }
        result.then(
          (value) => reply({ id: req.id, ok: true, value }),
          (e: unknown) => reply({ id: req.id, ok: false, error: serializeError(e) }),
        );
      });
      // Only requests keep the host alive, not an idle channel.
      port2.unref();
      return { endpoint: { port: port1, signal }, transferList: [port1] };
    },
    close() {
      for (const p of ports) p.close();
      ports.length = 0;
    },
  };
}

/** Worker side: synchronous calls to the host. One call at a time (the evaluator is synchronous). */
export class BridgeClient {
  private readonly flag: Int32Array;
  private seq = 0;
  private busy = false;

  constructor(private readonly endpoint: BridgeEndpoint) {
    this.flag = new Int32Array(endpoint.signal);
  }

  call<T = unknown>(method: string, params?: unknown): T {
    if (this.busy) throw new Error(`bridge call '${method}' while another call is waiting`);
    this.busy = true;
    try {
      const id = ++this.seq;
      Atomics.store(this.flag, FLAG, WAITING);
      this.endpoint.port.postMessage({ id, method, params } satisfies Request);
      for (;;) {
        const msg = receiveMessageOnPort(this.endpoint.port);
        if (msg !== undefined) {
          const r = msg.message as Reply;
          if (r.id !== id) continue; // a stale reply (cannot happen with one call at a time)
          if (r.ok) return r.value as T;
          throw new BridgeRemoteError(r.error);
        }
        // The host posts the reply before it sets the flag, so after a wake-up the reply is there.
        Atomics.wait(this.flag, FLAG, WAITING, 1000);
        Atomics.store(this.flag, FLAG, WAITING);
      }
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.endpoint.port.close();
  }
}
