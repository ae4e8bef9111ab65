"""Start one learner's single-user server as that learner, in its own PID, mount and cgroup namespaces.

The hub (root) runs this file with the spawner's environment and command::

    python hub/launcher.py --user cvm-alice --join /sys/fs/cgroup/memory/cvm-hub/cvm-alice/cgroup.procs ...
        --view v1:memory,pids,cpu,cpuacct --log /…/logs/cvm-alice.log -- jupyterhub-singleuser …

What it does, in order, so that a learner's live labs stay apart from everyone else's:

1. joins the learner's cgroups (``--join``: their memory, pids and CPU limits then hold for every process the
   server starts);
2. ``unshare(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWPID)`` and makes every mount private, so nothing mounted
   inside reaches the host;
3. forks the new PID namespace's first process (PID 1). It mounts a fresh ``/proc`` (only the learner's own
   processes are in it), replaces ``/sys/fs/cgroup`` with the learner's own cgroups only (``--view``, seen
   from the cgroup namespace: their own limits, nobody else's), gives the learner a private ``/tmp`` and
   ``/dev/shm``, then forks the server, which drops to the learner's user and groups and runs the command;
4. PID 1 forwards SIGINT/SIGTERM/SIGHUP to the server, reaps every process, and stops processes left without a
   parent (a kernel killed in the middle of a lab leaves its children to PID 1) after ``ORPHAN_GRACE_S``. When
   the server ends, PID 1 ends, and the kernel kills whatever is left in the namespace;
5. this first process (outside the namespace, the hub's child) forwards the hub's signals to PID 1 and exits
   with the server's status. If it is killed, PID 1 is killed with it (``PR_SET_PDEATHSIG``).

Standard library only (it runs before any environment is trusted); Linux only; needs root.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pwd
import select
import signal
import sys
import time

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWPID = 0x00020000, 0x02000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
ORPHAN_GRACE_S = 5.0  # a process whose parent died is asked to stop after this, and killed 3 s later
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
WATCHED = {*FORWARDED, signal.SIGCHLD}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _enc(s: str | None) -> bytes | None:
    return s.encode() if s is not None else None


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    enc = _enc
    _check(
        _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {fstype or ''} on {target}",
    )


def detach(target: str) -> None:
    """Lazily unmount ``target`` and everything below it (the host's view, before the learner's replaces it)."""
    _check(_libc.umount2(target.encode(), ctypes.c_int(MNT_DETACH)), f"umount {target}")


def log(message: str) -> None:
    print(f"[launcher {os.getpid()}] {message}", file=sys.stderr, flush=True)


def cgroup_mountpoints() -> dict[str, str]:
    """Controller (v1) or 'cgroup2' -> where it is mounted, from /proc/self/mountinfo."""
    points: dict[str, str] = {}
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            fields, rest = left.split(), right.split()
            if not rest:
                continue
            fstype, options = rest[0], rest[2].split(",") if len(rest) > 2 else []
            if fstype == "cgroup2":
                points.setdefault("cgroup2", fields[4])
            elif fstype == "cgroup":
                for opt in options:
                    if opt not in ("rw", "ro", "relatime", "nosuid", "nodev", "noexec"):
                        points.setdefault(opt, fields[4])
    return points


def private_view(view: str, home: str, uid: int, gid: int) -> None:
    """Inside the new namespaces (as PID 1): own /proc, own cgroups only, private /tmp and /dev/shm."""
    detach("/proc")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    kind, _, names = view.partition(":")
    base = "/sys/fs/cgroup"
    points = cgroup_mountpoints()
    if os.path.ismount(base):
        detach(base)
    else:
        for point in sorted(set(points.values()), reverse=True):
            detach(point)
    if kind == "v1":
        wanted = [n for n in names.split(",") if n]
        mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k")
        for name in wanted:
            target = os.path.join(base, name)
            os.mkdir(target, 0o755)
            mount("cgroup", target, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, name)
        missing = [n for n in wanted if n not in points]
        if missing:
            log(f"cgroup v1 controllers not mounted on the host: {missing}")
        mount(None, base, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k")
    elif kind == "v2":
        mount("cgroup2", base, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    elif os.path.isdir(base):  # no limits here: hide the host's cgroups all the same
        mount("tmpfs", base, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=4k")
    # The learner's private /tmp is ~/.tmp. Their home is theirs: never follow a link they may have put there.
    home_fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            os.mkdir(".tmp", 0o700, dir_fd=home_fd)
        except FileExistsError:
            pass
        tmp_fd = os.open(".tmp", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=home_fd)
    finally:
        os.close(home_fd)
    try:
        os.fchown(tmp_fd, uid, gid)
        os.fchmod(tmp_fd, 0o700)
        mount(f"/proc/self/fd/{tmp_fd}", "/tmp", None, MS_BIND | MS_NOSUID | MS_NODEV)
    finally:
        os.close(tmp_fd)
    if os.path.isdir("/dev/shm"):
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=700,uid={uid},gid={gid},size=256m")


def become(user: pwd.struct_passwd) -> None:
    os.initgroups(user.pw_name, user.pw_gid)
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    if os.getuid() != user.pw_uid or os.geteuid() != user.pw_uid:
        raise OSError("could not drop privileges")
    os.umask(0o077)
    os.chdir(user.pw_dir)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def init(server: int) -> int:
    """PID 1 of the learner's namespace: forward signals to the server, reap, stop orphans; return its status."""
    orphans: dict[int, float] = {}
    status = 0
    while True:
        info = signal.sigtimedwait(WATCHED, 1.0)
        if info is not None and info.si_signo in FORWARDED:
            try:
                os.kill(server, info.si_signo)
            except ProcessLookupError:
                pass
        while True:  # reap everything that ended
            try:
                pid, raw = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            orphans.pop(pid, None)
            if pid == server:
                status = os.waitstatus_to_exitcode(raw)
                server = 0
        if server == 0:
            break
        now = time.monotonic()
        for pid in children_of(1):
            if pid == server:
                continue
            first = orphans.setdefault(pid, now)
            try:
                if now - first > ORPHAN_GRACE_S + 3:
                    os.kill(pid, signal.SIGKILL)
                elif now - first > ORPHAN_GRACE_S:
                    os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                orphans.pop(pid, None)
    try:
        os.kill(-1, signal.SIGKILL)  # everything left in the namespace
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    return status


def run(args: argparse.Namespace) -> int:
    user = pwd.getpwnam(args.user)
    if args.log:
        fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        log(f"starting the server of {user.pw_name}")
    for procs in args.join:
        with open(procs, "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
    unshare(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWPID)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    alive_r, alive_w = os.pipe()  # PID 1 checks the first process is alive after setting PDEATHSIG
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
    first = os.fork()
    if first == 0:  # PID 1 of the new namespace
        os.close(alive_w)
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
        if select.select([alive_r], [], [], 0)[0]:  # EOF: the first process is already gone
            os._exit(1)
        try:
            private_view(args.view, user.pw_dir, user.pw_uid, user.pw_gid)
            server = os.fork()
            if server == 0:
                os.close(alive_r)
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                become(user)
                os.execvpe(args.command[0], args.command, os.environ)
        except BaseException as exc:  # noqa: BLE001 - report why the server cannot start, then stop
            log(f"cannot start the server: {exc}")
            os._exit(70)
        os._exit(init(server))
    os.close(alive_r)
    while True:
        info = signal.sigtimedwait(WATCHED, 5.0)
        if info is not None and info.si_signo in FORWARDED:
            try:
                os.kill(first, info.si_signo)
            except ProcessLookupError:
                pass
        pid, raw = os.waitpid(first, os.WNOHANG)
        if pid == first:
            code = os.waitstatus_to_exitcode(raw)
            log(f"the server of {user.pw_name} ended with status {code}")
            return code if code >= 0 else 128 - code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", required=True, help="the learner's system user")
    parser.add_argument("--join", action="append", default=[], help="a cgroup.procs file to join (repeat)")
    parser.add_argument("--view", default="none", help="v1:controllers,… | v2 | none: the cgroups the learner sees")
    parser.add_argument("--log", default="", help="append the server's output to this file")
    parser.add_argument("command", nargs="+", help="the single-user server's command (after --)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("the launcher needs root (the hub runs it)", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
