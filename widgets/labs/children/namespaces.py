"""A container from scratch: new user, UTS, IPC, mount, network and PID namespaces, then PID 1 inside.

Run by :func:`widgets.labs.nslab.container_from_scratch` (see :mod:`widgets.labs.children`). Modes:
``container`` (the lab), ``links`` (the namespace links of a freshly unshared process), ``no-userns``
(what ``unshare`` does without a user namespace) and ``chosen`` (:mod:`widgets.labs.nsrun`: unshare exactly
the namespaces named in ``namespaces``, as an ordinary user, and report what the process then sees). The
hostname and the names are data from the parameters, checked by the lab before it starts this child.
"""

import ctypes
import errno
import fcntl
import json
import os
import socket
import struct
import sys
import time

P = json.loads(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
NEWNS, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET = 0x20000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000
CHOSEN = dict(
    user=NEWUSER, uts=NEWUTS, ipc=NEWIPC, mount=NEWNS, network=NEWNET, pid=NEWPID, cgroup=0x2000000, time=0x80
)
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x4000, 0x40000, 2, 4, 8
SIOCGIFFLAGS = 0x8913


def err(what):
    e = ctypes.get_errno()
    return f"{what} failed: {errno.errorcode.get(e, e)} ({os.strerror(e)})"


def ns(d="/proc/self/ns/"):
    return {
        n: os.readlink(d + n) if os.path.exists(d + n) else "unavailable: no link yet" for n in sorted(os.listdir(d))
    }


def put(path, text):
    fd = os.open(path, os.O_WRONLY)
    os.write(fd, text.encode())
    os.close(fd)


def emit(obj):
    sys.stdout.write(json.dumps(obj))
    sys.stdout.flush()


def links():
    if libc.unshare(NEWUSER | NEWUTS | NEWIPC | NEWNET | NEWNS | NEWPID):
        emit({"error": err("unshare")})
        sys.exit(3)
    emit({"ns": ns()})


def no_userns(name):
    out = {"uid_before": os.getuid()}
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    out["uid"] = os.getuid()
    out["uts_alone"] = "works" if libc.unshare(NEWUTS) == 0 else err("unshare(CLONE_NEWUTS)")
    if libc.unshare(NEWUSER | NEWUTS) == 0:
        out["with_userns"] = "works" if libc.sethostname(name, len(name)) == 0 else err("sethostname")
        out["hostname_inside"] = socket.gethostname()
    else:
        out["with_userns"] = err("unshare(CLONE_NEWUSER|CLONE_NEWUTS)")
    emit(out)


def pid_one(name, t2, w):
    """PID 1 of the new PID namespace: a private mount tree, a fresh /proc, the hostname; report what it sees."""
    t3 = time.perf_counter()
    try:
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None):
            raise OSError(err("mount --make-rprivate"))
        if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None):
            raise OSError(err("mount"))
        if libc.sethostname(name, len(name)):
            raise OSError(err("sethostname"))
        t4 = time.perf_counter()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        flags = struct.unpack("16sh", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, struct.pack("16sh", b"lo", 0)))[1]
        res = {
            "pid": os.getpid(),
            "uid": os.getuid(),
            "hostname": socket.gethostname(),
            "lo_up": bool(flags & 1),
            "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "ns": ns(),
            "interfaces": [n for _, n in socket.if_nameindex()],
            "fork": (t3 - t2) * 1e3,
            "mounts": (t4 - t3) * 1e3,
        }
        if P.get("hang_s"):
            time.sleep(P["hang_s"])
    except Exception as e:  # noqa: BLE001 - reported to the parent as a sentence
        res = {"error": str(e)}
    os.write(w, json.dumps(res).encode())
    os._exit(0)


def container(name):
    out, gid = {"uid_outside": os.getuid(), "host_hostname": socket.gethostname(), "host_ns": ns()}, os.getgid()
    t0 = time.perf_counter()
    if libc.unshare(NEWUSER | NEWUTS | NEWIPC | NEWNS | NEWNET | NEWPID):
        emit({"error": err("unshare")})
        sys.exit(3)
    t1 = time.perf_counter()
    put("/proc/self/uid_map", f"0 {out['uid_outside']} 1")
    put("/proc/self/setgroups", "deny")
    put("/proc/self/gid_map", f"0 {gid} 1")
    t2 = time.perf_counter()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        pid_one(name, t2, w)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    t5 = time.perf_counter()
    inner = json.loads(b"".join(chunks) or b'{"error": "PID 1 of the new namespace died without a report"}')
    out.update(inner, unshare=(t1 - t0) * 1e3, maps=(t2 - t1) * 1e3, total=(t5 - t0) * 1e3)
    emit(out)


def seen(name, want):
    """In the process that reports: private mounts, a fresh /proc (PID and mount namespaces), the hostname."""
    if "mount" in want and libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None):
        raise OSError(err("mount --make-rprivate"))
    if {"mount", "pid"} <= set(want) and libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None):
        raise OSError(err("mount proc"))
    if "uts" in want and libc.sethostname(name, len(name)):  # never without a UTS namespace of its own
        raise OSError(err("sethostname"))
    if P.get("hang_s"):
        time.sleep(P["hang_s"])
    with open("/proc/self/cgroup") as fh:
        cgroup = fh.readline().strip()
    return {
        "pid": os.getpid(),
        "uid": os.getuid(),
        "hostname": socket.gethostname(),
        "interfaces": [n for _, n in socket.if_nameindex()],
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:50],
        "processes": sum(p.isdigit() for p in os.listdir("/proc")),
        "ns": ns(),
        "cgroup": cgroup,
    }


def chosen(name):
    """Unshare exactly the chosen namespaces, as an ordinary user (nobody, if started as root)."""
    want = P["namespaces"]
    if os.getuid() == 0:  # an engine without privileges: what every learner's machine does
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: setuid cleared it, and uid_map needs it
    uid, gid = os.getuid(), os.getgid()
    out = {"uid_outside": uid, "host_pid": os.getpid(), "host_hostname": socket.gethostname(), "host_ns": ns()}
    out["host_interfaces"] = [n for _, n in socket.if_nameindex()]
    flags = sum(CHOSEN[n] for n in want)
    if flags and libc.unshare(flags):
        out["refused"] = err(f"unshare({' | '.join('CLONE_NEW' + n.upper() for n in want)})")
        emit(out)
        return
    if "user" in want:
        put("/proc/self/uid_map", f"0 {uid} 1")
        put("/proc/self/setgroups", "deny")
        put("/proc/self/gid_map", f"0 {gid} 1")
    if "pid" not in want:
        out.update(seen(name, want))
        emit(out)
        return
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the first process of the new PID namespace
        os.close(r)
        try:
            res = seen(name, want)
        except Exception as e:  # noqa: BLE001 - reported to the parent as a sentence
            res = {"error": str(e)}
        os.write(w, json.dumps(res).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    out.update(json.loads(b"".join(chunks) or b'{"error": "the forked process died without a report"}'))
    emit(out)


if __name__ == "__main__":
    hostname = P["hostname"].encode()
    if P["mode"] == "links":
        links()
    elif P["mode"] == "chosen":
        try:
            chosen(hostname)
        except OSError as exc:
            emit({"error": str(exc)})
    elif P["mode"] == "no-userns":
        no_userns(hostname)
    else:
        container(hostname)
