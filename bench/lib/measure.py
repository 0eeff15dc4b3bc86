"""Run one command, report its wall time and peak RSS as one JSON line.

usage: measure.py TIMEOUT_SECONDS STDOUT_FILE STDERR_FILE -- COMMAND [ARGS...]

The clock starts just before posix_spawn and stops when wait4 returns, so the
interpreter's own start-up is not counted. ru_maxrss comes from wait4, i.e. the
child's own peak resident set (Linux reports it in KiB).

Linux folds the spawning process's high-water mark into the child's ru_maxrss at
exec, so a child whose real peak is below this interpreter's own peak (~10-15 MiB)
cannot be measured this way: then maxRssKiB is null and rssFloorKiB says why.
"""
import json
import os
import resource
import signal
import sys
import time


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

    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
