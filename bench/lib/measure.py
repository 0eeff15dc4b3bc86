"""Run one command, report its wall time and peak RSS as one JSON line.

usage: measure.py TIMEOUT_SECONDS STDOUT_FILE STDERR_FILE -- COMMAND [ARGS...]

The clock starts just before posix_spawn and stops when wait4 returns, so the
interpreter's own start-up is not counted. ru_maxrss comes from wait4, i.e. the
child's own peak resident set (Linux reports it in KiB).

Linux folds the high-water mark of the memory a process leaves at exec into its
ru_maxrss. posix_spawn shares this interpreter's memory with the child until exec, so
a child's figure is at least this interpreter's own peak (VmHWM, ~10-15 MiB): a child
whose real peak is below that cannot be measured this way, and then maxRssKiB is null
and rssFloorKiB says why. (getrusage(RUSAGE_SELF) would be the wrong floor: it holds
what the *runner* had resident when it forked this interpreter, hundreds of MiB once
the runner has prepared the big inputs.)
"""
import json
import os
import resource
import signal
import sys
import time


def own_peak_kib():
    """This interpreter's own peak resident set (what a posix_spawn child inherits at exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    timeout = float(sys.argv[1])
    out_path, err_path = sys.argv[2], sys.argv[3]
    if sys.argv[4] != "--":
        raise SystemExit("measure.py: expected -- before the command")
    command = sys.argv[5:]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out_path, flags, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, err_path, flags, 0o644),
    ]
    timed_out = False

    def on_alarm(_signum, _frame):
        nonlocal timed_out
        timed_out = True
        os.kill(pid, signal.SIGKILL)

    floor = own_peak_kib()
    start = time.perf_counter_ns()
    try:
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
    except OSError as error:
        print(json.dumps({"spawnError": str(error)}))
        return
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    wall_ns = time.perf_counter_ns() - start
    signal.setitimer(signal.ITIMER_REAL, 0)
    result = {
        "wallMs": wall_ns / 1e6,
        "maxRssKiB": usage.ru_maxrss if usage.ru_maxrss > floor else None,
        "rssFloorKiB": floor,
        "userMs": usage.ru_utime * 1000,
        "sysMs": usage.ru_stime * 1000,
        "timedOut": timed_out,
    }
    if os.WIFEXITED(status):
        result["exitCode"] = os.WEXITSTATUS(status)
    elif os.WIFSIGNALED(status):
        result["signal"] = os.WTERMSIG(status)
    print(json.dumps(result))


main()
