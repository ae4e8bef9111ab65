"""The course's OCI runner: run an image's program in its own root, stage by stage, as an ordinary user.

Run by :mod:`widgets.labs.runtime` (see :mod:`widgets.labs.children`). This process (the runtime) drops to
``drop_to`` if it is root, unshares the user (single-id uid/gid map), mount, PID, UTS, IPC and network
namespaces and forks PID 1 of the new PID namespace. PID 1 waits until the lab has put it into its cgroup,
unshares the cgroup namespace, mounts the overlay root (lower layers read-only, an upper and a work
directory), the config's mounts (a fresh /proc, a tmpfs /dev with the standard devices bound in),
``pivot_root``s into it and detaches the old root, sets the hostname, drops capabilities (bounding,
effective, permitted, inheritable, ambient), sets ``no_new_privs``, loads the seccomp-BPF filter and
``execve``s the image's program. Each stage reports what the process could see or do before and after.

Standard output: one JSON line ``{"event": "pid", "pid": N}`` (PID 1's host PID, for the cgroup), then the
report. Standard input: ``go`` when PID 1 may go on. Every mount lives in the new mount namespace.
"""

import ctypes
import errno
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

P = json.loads(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
FLAGS = dict(user=0x10000000, mount=0x20000, pid=0x20000000, uts=0x4000000, ipc=0x8000000, network=0x40000000)
FLAGS["cgroup"] = 0x2000000
MS = {"ro": 1, "nosuid": 2, "nodev": 4, "noexec": 8, "bind": 0x1000, "rec": 0x4000, "private": 0x40000}
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 4, 24, 38, 39
PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 22, 2, 47, 4
NR = P["nr"]  # this architecture's numbers for pivot_root, capset and the probes
T0 = time.perf_counter()


class Stage(Exception):
    pass


def err(what, e=None):
    e = ctypes.get_errno() if e is None else e
    return f"{what}: {errno.errorcode.get(e, e)} ({os.strerror(e)})"


def check(rc, what):
    if rc != 0:
        raise Stage(err(what))


def stage(report, name, before, after, **extra):
    report.append({"stage": name, "before": before, "after": after, **extra, "ms": ms()})


def ms():
    return round((time.perf_counter() - T0) * 1e3, 3)


def status(keys=("Uid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"), pid="self"):
    with open(f"/proc/{pid}/status") as fh:
        return {k: v.strip() for k, _, v in (ln.partition(":") for ln in fh) if k in keys}


def names(path):
    try:
        return sorted(n for n in os.listdir(path) if not n.startswith("."))
    except OSError as e:
        return f"unreadable: {e.strerror}"


def files_seen(top="/", limit=200):
    """The regular files of the container's root (not /proc or /dev), as the container sees them."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not (dirpath == "/" and d in ("proc", "dev")))
        out += [os.path.join(dirpath, f) for f in sorted(filenames) if os.path.isfile(os.path.join(dirpath, f))]
        if len(out) >= limit:
            return out[:limit]
    return out


def mounts_seen():
    with open("/proc/self/mountinfo") as fh:
        return len(fh.readlines())


def pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())


def ns_links():
    return {n: os.readlink(f"/proc/self/ns/{n}") for n in ("user", "mnt", "pid", "uts", "ipc", "net", "cgroup")}


def attempt(fn):
    try:
        rc = fn()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return errno.errorcode.get(ctypes.get_errno(), "?") if isinstance(rc, int) and rc < 0 else "allowed"


def raw_socket():
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()


def if_flags_same():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, req))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags))  # SIOCSIFFLAGS, unchanged


def cap_probes():
    host = socket.gethostname().encode()
    return {
        "sethostname (CAP_SYS_ADMIN)": attempt(lambda: libc.sethostname(host, len(host))),
        "chroot('/') (CAP_SYS_CHROOT)": attempt(lambda: libc.chroot(b"/")),
        "raw ICMP socket (CAP_NET_RAW)": attempt(raw_socket),
        "set lo's flags, unchanged (CAP_NET_ADMIN)": attempt(if_flags_same),
    }


def sys_probes():
    buf = ctypes.create_string_buffer(512)
    path = b"/nonexistent-cvm/x"  # allowed: ENOENT; filtered: EPERM
    args = dict(getpid=(), getppid=(), getuid=(), sched_yield=(), uname=(buf,), getcwd=(buf, 256), unshare=(0,))
    args.update(
        personality=(0xFFFFFFFF,), chdir=(b"/",), socket=(1, 1, 0), mkdir=(path, 0o755), mkdirat=(-100, path, 0o755)
    )
    out = {}
    for name, nr in NR["probes"].items():
        rc = libc.syscall(nr, *args[name])
        out[name] = "allowed" if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
        if name == "socket" and rc >= 0:
            os.close(rc)
    return out


def mount_options(options):
    flags, data = 0, []
    for o in options:
        if o in MS:
            flags |= MS[o]
        elif o not in ("strictatime", "relatime", "rw"):
            data.append(o)
    return flags, ",".join(data).encode() or None


def setup_root(report):
    """Overlay root, the config's mounts, devices, pivot_root: the root file system switch."""
    root, before = P["rootfs"], {"/": names("/"), "mounts seen": mounts_seen()}
    check(libc.mount(b"none", b"/", None, MS["rec"] | MS["private"], None), "mount --make-rprivate /")
    if P["lowers"]:
        opts = f"lowerdir={':'.join(P['lowers'])},upperdir={P['upper']},workdir={P['work']}"
        check(libc.mount(b"overlay", root.encode(), b"overlay", 0, opts.encode()), "mount -t overlay")
    else:
        check(libc.mount(root.encode(), root.encode(), None, MS["bind"] | MS["rec"], None), "bind-mount the root")
    for m in P["mounts"]:
        target = root + m["destination"]
        os.makedirs(target, exist_ok=True)
        flags, data = mount_options(m.get("options", []))
        check(
            libc.mount(m.get("source", m["type"]).encode(), target.encode(), m["type"].encode(), flags, data),
            f"mount {m['type']} on {m['destination']}",
        )
        if m["destination"] == "/dev":
            for dev in P["devices"]:
                open(f"{target}/{dev}", "w").close()
                check(
                    libc.mount(f"/dev/{dev}".encode(), f"{target}/{dev}".encode(), None, MS["bind"], None),
                    f"bind /dev/{dev}",
                )
            for link, to in (
                ("fd", "/proc/self/fd"),
                ("stdin", "/proc/self/fd/0"),
                ("stdout", "/proc/self/fd/1"),
                ("stderr", "/proc/self/fd/2"),
            ):
                os.symlink(to, f"{target}/{link}")
    host_pids = len(pids())
    os.chdir(root)
    check(libc.syscall(NR["pivot_root"], b".", b"."), "pivot_root")
    check(libc.umount2(b".", 2), "umount the old root (MNT_DETACH)")
    os.chdir("/")
    after = {"/": names("/"), "mounts seen": mounts_seen(), "files": files_seen()}
    stage(report, "root filesystem", before, after)
    stage(report, "fresh /proc", {"processes seen": host_pids}, {"processes seen": len(pids()), "pids": pids()})


def identity(report):
    """Hostname, and what a single-id map cannot do."""
    name, before = P["hostname"].encode(), socket.gethostname()
    check(libc.sethostname(name, len(name)), "sethostname")
    stage(report, "hostname", before, socket.gethostname())
    probe, tries = "/dev/.cvm-chown-probe", {}
    if P["observe"] and os.path.isdir("/dev"):
        open(probe, "w").close()
        tries = {
            "chown to 0:0 (mapped)": attempt(lambda: os.chown(probe, 0, 0)),
            "chown to 1:1 (not mapped)": attempt(lambda: os.chown(probe, 1, 1)),
        }
        os.unlink(probe)
    with open("/proc/self/uid_map") as fh:
        uid_map = " ".join(fh.read().split())
    stage(report, "user namespace", {"uid": P["outside_uid"]}, {"uid": os.getuid(), "uid_map": uid_map, **tries})


def drop_capabilities(report):
    caps, before, probes = P["caps"], status(), cap_probes() if P["observe"] else {}
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        if cap not in caps["bounding"]:
            check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"prctl(PR_CAPBSET_DROP, {cap})")
    eff, prm, inh = (sum(1 << c for c in caps[k]) for k in ("effective", "permitted", "inheritable"))
    hdr = ctypes.create_string_buffer(struct.pack("<Ii", 0x20080522, 0))  # _LINUX_CAPABILITY_VERSION_3, self
    data = ctypes.create_string_buffer(
        struct.pack("<6I", eff & 0xFFFFFFFF, prm & 0xFFFFFFFF, inh & 0xFFFFFFFF, eff >> 32, prm >> 32, inh >> 32)
    )
    check(libc.syscall(NR["capset"], hdr, data), "capset")
    if not caps["ambient"]:
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    stage(report, "capabilities", {**before, **probes}, {**status(), **(cap_probes() if P["observe"] else {})})
    nnp = libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
    if P["no_new_privs"]:
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    stage(report, "no_new_privs", nnp, libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def load_filter():
    rows = P["seccomp"]["filter"]
    prog = (SockFilter * len(rows))(*(SockFilter(*r) for r in rows))
    fprog = SockFprog(len(rows), prog)
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "prctl(PR_SET_SECCOMP)")
    return fprog, prog  # keep them alive until execve


def seccomp_stage(report):
    before = sys_probes() if P["observe"] else {}
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # a probe process: the filter in it, the probes, then gone (a filter cannot be removed)
        os.close(r)
        try:
            keep = load_filter()
            out = sys_probes() if P["observe"] else {}
            out["Seccomp"] = status(("Seccomp",))["Seccomp"]
            del keep
        except Exception as e:  # noqa: BLE001
            out = {"error": str(e)}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    after = json.loads(read_all(r) or b'{"error": "the probe process died"}')
    os.waitpid(pid, 0)
    if "error" in after:
        raise Stage(f"seccomp: {after['error']}")
    stage(report, "seccomp", {"Seccomp": status(("Seccomp",))["Seccomp"], **before}, after, deny=P["seccomp"]["deny"])


def read_all(fd):
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def pid_one(go_r, rep_w, out_w):
    report = []
    try:
        os.read(go_r, 1)  # the lab has put this process into its cgroup (or has none)
        os.close(go_r)
        late = [n for n in ("mount", "cgroup") if n in P["namespaces"]]  # after joining the lab's cgroup
        check(libc.unshare(sum(FLAGS[n] for n in late)), f"unshare({', '.join(late)})")
        stage(
            report, "namespaces", {"pid": P["outside_pid"], "ns": P["host_ns"]}, {"pid": os.getpid(), "ns": ns_links()}
        )
        setup_root(report)
        identity(report)
        drop_capabilities(report)
        if P["seccomp"]:
            seccomp_stage(report)
        os.chdir(P["cwd"])
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.close(out_w)
        os.write(rep_w, json.dumps({"stages": report, "exec_ms": ms()}).encode() + b"\n")
        keep = load_filter() if P["seccomp"] else None
        os.execve(P["args"][0], P["args"], dict(e.split("=", 1) for e in P["env"]))
        del keep
    except Stage as e:
        os.write(rep_w, json.dumps({"stages": report, "error": str(e)}).encode() + b"\n")
    except OSError as e:
        if e.filename != P["args"][0]:
            msg = f"set-up failed: {e}"
            os.write(rep_w, json.dumps({"stages": report, "error": msg}).encode() + b"\n")
            os._exit(127)
        msg = f"execve {P['args'][0]}: {errno.errorcode.get(e.errno, e.errno)} ({e.strerror})"
        os.write(rep_w, json.dumps({"stages": report, "error": msg}).encode() + b"\n")
    except Exception as e:  # noqa: BLE001 - reported as a sentence, never a traceback
        os.write(rep_w, json.dumps({"stages": report, "error": f"{type(e).__name__}: {e}"}).encode() + b"\n")
    os._exit(127)


def main():
    out = {"outside_uid": os.getuid(), "dropped": False}
    if P.get("drop_to") is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(P["drop_to"])
        os.setuid(P["drop_to"])
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # setuid made it non-dumpable: it could not write its uid_map
        out.update(outside_uid=os.getuid(), dropped=True)
    uid, gid = os.getuid(), os.getgid()
    for kind, own, rows in (("uid", uid, P["uid_map"]), ("gid", gid, P["gid_map"])):
        if rows != [[0, own, 1]]:
            print(
                json.dumps(
                    {
                        "error": f"config.json: linux.{kind}Mappings asks for {rows}, but an ordinary user may "
                        f"map only its own {kind} ({own}) as one id: [[0, {own}, 1]]; ranges need newuidmap "
                        "and /etc/subuid (see the lesson)"
                    }
                )
            )
            sys.exit(3)
    P.update(outside_uid=uid, outside_pid=os.getpid(), host_ns=ns_links())
    t0 = time.perf_counter()
    flags = sum(FLAGS[n] for n in P["namespaces"] if n not in ("cgroup", "mount"))
    check(libc.unshare(flags), "unshare")
    for name, text in (("uid_map", f"0 {uid} 1"), ("setgroups", "deny"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)
    (go_r, go_w), (rep_r, rep_w), (out_r, out_w) = os.pipe(), os.pipe2(os.O_CLOEXEC), os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w), os.close(rep_r), os.close(out_r)
        pid_one(go_r, rep_w, out_w)
    os.close(go_r), os.close(rep_w), os.close(out_w)
    print(json.dumps({"event": "pid", "pid": pid}), flush=True)
    if P["wait_go"]:
        sys.stdin.readline()
    os.write(go_w, b"g")
    os.close(go_w)
    report = {}
    for line in (read_all(rep_r).decode() or '{"error": "PID 1 died before it reported"}').splitlines():
        report.update(json.loads(line))  # the stages, then an error if execve failed
    t_exec = time.perf_counter()
    try:
        report["after_exec"] = status(pid=pid)
    except OSError:
        report["after_exec"] = {}
    output = bytearray()
    while True:
        ready, _, _ = select.select([out_r], [], [], P["timeout_s"])
        chunk = os.read(out_r, 65536) if ready else b""
        if not chunk:
            break
        output += chunk[: max(0, 65536 - len(output))]
    os.close(out_r)
    _, wstatus = os.waitpid(pid, 0)
    t_end = time.perf_counter()
    out.update(report, output=output.decode(errors="replace"), pid=pid, uid=uid, gid=gid)
    out["exit"] = (
        {"code": os.waitstatus_to_exitcode(wstatus)} if os.WIFEXITED(wstatus) else {"signal": os.WTERMSIG(wstatus)}
    )
    out["timings_ms"] = {
        "set-up (unshare to execve)": round((t_exec - t0) * 1e3, 3),
        "program (execve to exit)": round((t_end - t_exec) * 1e3, 3),
        "total (unshare to exit)": round((t_end - t0) * 1e3, 3),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Stage as e:
        print(json.dumps({"error": str(e)}), flush=True)
        sys.exit(3)
