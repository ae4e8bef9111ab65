"""Privileges in a new user namespace: root inside, an ordinary user for the host.

Run by :func:`widgets.labs.privlab.privileges_in_user_namespace` (see :mod:`widgets.labs.children`). Its
only attempts are read-only opens (closed at once) and signal 0, which only asks whether a signal could
be sent.
"""

import ctypes
import errno
import json
import os
import sys

P = json.loads(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
NEWUSER, PR_SET_DUMPABLE = 0x10000000, 4


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


def main():
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
