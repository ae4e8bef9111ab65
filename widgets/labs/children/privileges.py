"""Privileges in a new user namespace: root inside, an ordinary user for the host.

Run by :func:`widgets.labs.privlab.privileges_in_user_namespace` (see :mod:`widgets.labs.children`). Its
only attempts are read-only opens (closed at once) and signal 0, which only asks whether a signal could
be sent.

With ``"actions"`` in its parameters (:mod:`widgets.labs.secrule`) it also unshares a UTS, a mount and a
network namespace (all owned by the new user namespace, so nothing it changes is the host's) and runs each
action in a process of its own: that process drops the rule's capabilities, sets no_new_privs, loads the
rule's seccomp filter, tries the action and writes its outcome to a pipe. A process killed by the filter,
or one that does not answer within ``action_timeout_s``, is reported as such (and killed).
"""

import ctypes
import errno
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time

P = json.loads(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
NEWUSER, PR_SET_DUMPABLE = 0x10000000, 4
NEWNS, NEWUTS, NEWNET = 0x20000, 0x4000000, 0x40000000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_SET_NO_NEW_PRIVS, MNT_DETACH = 22, 2, 38, 2


def err(what):
    e = ctypes.get_errno()
    return f"{what} failed: {errno.errorcode.get(e, e)} ({os.strerror(e)})"


def status():
    with open("/proc/self/status") as fh:
        return "".join(ln for ln in fh if ln.startswith(tuple(P["keep"])))


def put(path, text):
    fd = os.open(path, os.O_WRONLY)
    os.write(fd, text.encode())
    os.close(fd)


def attempt(fn):
    try:
        fn()
        return "allowed"
    except OSError as e:
        return f"{errno.errorcode.get(e.errno, e.errno)} ({e.strerror})"


def attempts():
    return {
        "/etc/shadow": attempt(lambda: os.close(os.open("/etc/shadow", os.O_RDONLY))),
        "kill(1, 0)": attempt(lambda: os.kill(1, 0)),
    }


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def checked(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def set_hostname():
    checked(libc.sethostname(b"cvm-rule-lab", 12))


def mount_tmpfs():
    checked(libc.mount(b"cvm", P["target"].encode(), b"tmpfs", 0, b"size=64k"))
    libc.umount2(P["target"].encode(), MNT_DETACH)


def bind_low_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("0.0.0.0", 80))
    finally:
        try:
            s.close()
        except OSError:
            pass


ACTIONS = {
    "open-file": lambda: os.close(os.open("/etc/passwd", os.O_RDONLY)),
    "open-shadow": lambda: os.close(os.open("/etc/shadow", os.O_RDONLY)),
    "hostname": set_hostname,
    "mount": mount_tmpfs,
    "low-port": bind_low_port,
    "kill-pid1": lambda: os.kill(1, 0),
    "pause": signal.pause,
}


def drop_caps(bits):
    """Clear capability ``bits`` from the effective, permitted and inheritable sets (capget, then capset)."""
    hdr = ctypes.create_string_buffer(struct.pack("<Ii", 0x20080522, 0))  # _LINUX_CAPABILITY_VERSION_3, self
    data = ctypes.create_string_buffer(24)
    checked(libc.capget(hdr, data))
    words = list(struct.unpack("<6I", data.raw))
    for bit in bits:
        for w in range(3):
            words[3 * (bit // 32) + w] &= ~(1 << (bit % 32)) & 0xFFFFFFFF
    checked(libc.capset(hdr, ctypes.create_string_buffer(struct.pack("<6I", *words))))


def one_action(name, w):
    """In a fresh process: the rule, then the action; its outcome is written to ``w`` (never returns)."""
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # a process the filter kills leaves no core dump
        drop_caps(P["drop"])
        checked(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        fprog = None
        if P["filter"]:
            rows = P["filter"]
            prog = (SockFilter * len(rows))(*(SockFilter(*r) for r in rows))
            fprog = SockFprog(len(rows), prog)
            checked(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0))
    except OSError as e:
        os.write(w, f"setup failed: {errno.errorcode.get(e.errno, e.errno)}".encode())
        os._exit(2)
    answers = {c: c.encode() for c in errno.errorcode.values()}
    try:
        ACTIONS[name]()
        out = b"allowed"
    except OSError as e:
        out = answers.get(errno.errorcode.get(e.errno, ""), str(e.errno).encode())
    os.write(w, out)
    os._exit(0)


def run_action(name):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        one_action(name, w)
    os.close(w)
    ready, _, _ = select.select([r], [], [], P["action_timeout_s"])
    answer = os.read(r, 200).decode(errors="replace") if ready else None
    os.close(r)
    if answer is None:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if answer is None:
        return f"timed out (killed after {P['action_timeout_s']:g} s)"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return "killed (SIGSYS)" if sig == signal.SIGSYS else f"killed ({signal.Signals(sig).name})"
    return answer or "no answer"


def actions_main():
    uid, gid, dropped = os.getuid(), os.getgid(), False
    if uid == 0:
        os.setgroups([])
        os.setgid(P["nobody"])
        os.setuid(P["nobody"])
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        uid, gid, dropped = os.getuid(), os.getgid(), True
    if libc.unshare(NEWUSER | NEWNS | NEWUTS | NEWNET):
        print(json.dumps({"error": err("unshare(CLONE_NEWUSER | NEWNS | NEWUTS | NEWNET)")}))
        sys.exit(3)
    put("/proc/self/uid_map", f"0 {uid} 1")
    put("/proc/self/setgroups", "deny")
    put("/proc/self/gid_map", f"0 {gid} 1")
    checked(libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None))  # MS_REC | MS_PRIVATE: nothing propagates
    t0, out = time.perf_counter(), {}
    for name in P["actions"]:
        out[name] = run_action(name)
    ms = round((time.perf_counter() - t0) * 1e3, 1)
    print(json.dumps({"outcomes": out, "host_uid": uid, "dropped": dropped, "ms": ms}))


def main():
    if "actions" in P:
        actions_main()
        return
    out = {"uid_start": os.getuid(), "as_started": attempts(), "dropped": False}
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(P["nobody"])
        os.setuid(P["nobody"])
        out["dropped"] = True
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # setuid made it non-dumpable: it could not write its own uid_map
    uid, gid = os.getuid(), os.getgid()
    out["uid_before_unshare"] = uid
    if libc.unshare(NEWUSER):
        print(json.dumps({"error": err("unshare(CLONE_NEWUSER)")}))
        sys.exit(3)
    put("/proc/self/uid_map", f"0 {uid} 1")
    put("/proc/self/setgroups", "deny")
    put("/proc/self/gid_map", f"0 {gid} 1")
    with open("/proc/self/uid_map") as fh:
        uid_map = fh.read()
    out.update(uid=os.getuid(), status=status(), uid_map=uid_map, attempts=attempts())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
