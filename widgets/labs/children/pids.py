"""Fork children inside a pids cgroup until the limit refuses one; report each attempt.

Run by :func:`widgets.labs.cgrouplab.pids_limit_lab` (see :mod:`widgets.labs.children`). It waits for a
line on standard input (the go-signal: the parent has moved it into the lab's cgroup), keeps every child
alive until it has counted them, then releases and reaps them all.
"""

import json
import os
import signal
import sys
import time

p = json.loads(sys.argv[2])


def current():
    with open(p["current"]) as f:
        return int(f.read())


def main():
    sys.stdin.readline()  # the go-signal
    tasks, (r, w), outcomes, kids = len(os.listdir("/proc/self/task")), os.pipe(), [], []

    def stop(*_):  # SIGTERM from the parent on timeout: release and reap the children, then exit
        os.close(w)
        for k in kids:
            os.waitpid(k, 0)
        os._exit(3)

    signal.signal(signal.SIGTERM, stop)
    for _ in range(p["attempts"]):
        try:
            pid = os.fork()
        except OSError as e:
            outcomes.append(f"{type(e).__name__}: [Errno {e.errno}] {e.strerror}")
            continue
        if pid == 0:  # the child stays alive (and counted) until the parent closes the pipe
            os.close(w)
            os.read(r, 1)
            os._exit(0)
        kids.append(pid)
        outcomes.append("ok")
    during = current()
    while p["hang"]:  # test-only: a lab process that never finishes
        time.sleep(3600)
    os.close(w)
    for k in kids:  # reaping releases each child's charge in pids.current
        os.waitpid(k, 0)
    print(json.dumps({"tasks": tasks, "outcomes": outcomes, "during": during, "after": current()}))


if __name__ == "__main__":
    main()
