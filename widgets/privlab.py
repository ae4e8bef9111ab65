"""Lesson 05, live: capabilities, seccomp, user namespaces and the kernel's system-call surface.

:func:`process_privileges` decodes ``/proc/self/status``; :func:`privileges_in_user_namespace` runs a child (dropped
to uid 65534 if root) that becomes root in a new user namespace and shows what that root cannot do on the host;
:func:`syscall_count` counts the system calls in the kernel headers. ``live="off"`` shows the recording / cited data.
"""
from __future__ import annotations

import contextlib
import dataclasses
import html
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from . import data, validate
from .figures import new_figure
from .nslab import Check, LabFailed, _decide, _lab_pids, run_child
from .probe import LIVE_MODES, Capability, use_live
from .theme import COLORS

# Bit number -> name, from the Linux UAPI header include/uapi/linux/capability.h (CAP_CHOWN 0 ... CAP_LAST_CAP 40).
CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
    "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE")
CAP_SETS = {"CapInh": "inheritable", "CapPrm": "permitted", "CapEff": "effective", "CapBnd": "bounding",
            "CapAmb": "ambient"}
SECCOMP_MODES = {0: "no system-call filter: every system call this kernel has is reachable",
                 1: "strict: only read, write, _exit and sigreturn are allowed",
                 2: "filter: a BPF program decides, call by call, which system calls are allowed"}
RECORDED_ON = "2026-11-26"
RECORDING = f"privileges_{RECORDED_ON}.json"
LABEL = f"recorded on {RECORDED_ON} on the course's build machine, where this process ran as root"
MARKER = "cvm-privlab"
NOBODY = 65534
HEADER_LABEL = ("counted here from the installed kernel headers (which describe the headers' kernel version, "
                "not necessarily the running kernel)")
HEADERS = {"x86_64": ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"),
           "aarch64": ("/usr/include/asm-generic/unistd.h",)}
_NR = re.compile(r"^[ \t]*#[ \t]*define[ \t]+__NR_(\w+)[ \t]+(\d+)[ \t]*$", re.M)
_KEEP = ("Uid:", "Gid:", "Cap", "NoNewPrivs:", "Seccomp")
_ASK = {"/etc/shadow": "open /etc/shadow read-only (a root-only host file)",
        "kill(1, 0)": "kill(1, 0): may it signal the host's PID 1? (signal 0 only asks)"}

# The child; parameters arrive as JSON in argv[1]. Its only attempts: read-only opens (closed at once), signal 0.
_CHILD = r'''# cvm-privlab child (widgets/privlab.py): privileges in a new user namespace
import ctypes, errno, json, os, sys
P = json.loads(sys.argv[1]); libc = ctypes.CDLL(None, use_errno=True)
NEWUSER, PR_SET_DUMPABLE = 0x10000000, 4
def err(what): e = ctypes.get_errno(); return f"{what} failed: {errno.errorcode.get(e, e)} ({os.strerror(e)})"
def status(): return "".join(ln for ln in open("/proc/self/status") if ln.startswith(tuple(P["keep"])))
def put(path, text): fd = os.open(path, os.O_WRONLY); os.write(fd, text.encode()); os.close(fd)
def attempt(fn):
    try: fn(); return "allowed"
    except OSError as e: return f"{errno.errorcode.get(e.errno, e.errno)} ({e.strerror})"
def attempts(): return {"/etc/shadow": attempt(lambda: os.close(os.open("/etc/shadow", os.O_RDONLY))),
                        "kill(1, 0)": attempt(lambda: os.kill(1, 0))}
out = {"uid_start": os.getuid(), "as_started": attempts(), "dropped": False}
if os.getuid() == 0:
    os.setgroups([]); os.setgid(P["nobody"]); os.setuid(P["nobody"]); out["dropped"] = True
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # setuid made it non-dumpable: it could not write its own uid_map
uid, gid = os.getuid(), os.getgid(); out["uid_before_unshare"] = uid
if libc.unshare(NEWUSER): print(json.dumps({"error": err("unshare(CLONE_NEWUSER)")})); sys.exit(3)
put("/proc/self/uid_map", f"0 {uid} 1"); put("/proc/self/setgroups", "deny"); put("/proc/self/gid_map", f"0 {gid} 1")
out.update(uid=os.getuid(), status=status(), uid_map=open("/proc/self/uid_map").read(), attempts=attempts())
print(json.dumps(out))
'''


@dataclass(frozen=True)
class Privileges:
    """A process's privileges as ``/proc/<pid>/status`` reports them, decoded, with plain-language notes."""

    available: bool
    source: str
    uid: tuple[int, ...] = ()  # real, effective, saved, filesystem
    gid: tuple[int, ...] = ()
    masks: dict[str, str] = field(default_factory=dict)  # "CapEff" -> hex mask as read
    caps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "CapEff" -> decoded names
    no_new_privs: int | None = None
    seccomp: int | None = None
    seccomp_filters: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrivComparison:
    """This process vs a child in a new user namespace (live, or the recording)."""

    this: Privileges
    child: Privileges
    rows: tuple[tuple[str, str, str], ...]  # (aspect, this process, child in its user namespace)
    checks: tuple[Check, ...]
    notes: tuple[str, ...]
    live: bool
    why: str
    recorded_on: str = ""
    errors: tuple[str, ...] = ()
    observed: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SyscallCount:
    """How many system calls there are: counted here from kernel headers (``live``), or cited."""

    count: int
    highest: int | None
    source: str
    live: bool
    label: str
    headers_version: str = ""
    running_kernel: str = ""
    why: str = ""


def decode_caps(hex_mask: str) -> tuple[str, ...]:
    """Capability names in a hex mask as ``/proc/<pid>/status`` shows it (bit n -> ``CAPABILITIES[n]``).

    Parameters
    ----------
    hex_mask:
        1 to 16 hex digits (64 bits), e.g. ``"00000000a80425fb"``, optionally prefixed ``0x``. Bits beyond the
        known names decode as ``"CAP_<n>"``.

    Raises
    ------
    ValueError
        If ``hex_mask`` is not text of 1 to 16 hex digits.
    """
    if not isinstance(hex_mask, str):
        raise ValueError(f"hex_mask must be text of hex digits, e.g. '00000000a80425fb'; got {type(hex_mask).__name__}")
    text = hex_mask.strip().lower().removeprefix("0x")
    if not text:
        raise ValueError("hex_mask is empty: give 1 to 16 hex digits, e.g. '00000000a80425fb'")
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", text):
        why = "more than 16 digits (64 bits)" if re.fullmatch(r"[0-9a-fA-F]+", text) else "not hex digits"
        raise ValueError(f"hex_mask must be 1 to 16 hex digits 0-9, a-f; got {hex_mask!r} ({why})")
    return tuple(CAPABILITIES[b] if b < len(CAPABILITIES) else f"CAP_{b}" for b in range(64) if int(text, 16) >> b & 1)


def _count(names: tuple[str, ...]) -> str:
    missing, n = [c for c in CAPABILITIES if c not in names], len(CAPABILITIES)
    but = f" (all but {', '.join(missing)})" if 0 < len(missing) <= 3 else ""
    return f"all {n}" if not missing else f"{n - len(missing)} of {n}{but}"


def _notes(p: Privileges) -> tuple[str, ...]:
    out, eff, bnd = [], p.caps.get("CapEff"), p.caps.get("CapBnd")
    if p.seccomp is not None:
        n = f" ({p.seccomp_filters} filter(s) attached)" if p.seccomp == 2 and p.seccomp_filters else ""
        out.append(f"seccomp {p.seccomp}: {SECCOMP_MODES.get(p.seccomp, 'a mode this lesson does not know')}{n}.")
    if eff is not None:
        out.append(f"{f'uid {p.uid[1]}' if len(p.uid) > 1 else 'This process'} has {_count(eff)} capabilities "
                   "effective" + (": privileged operations are refused." if not eff else
                                  ", each valid only for resources owned by the user namespace it lives in."))
    if bnd is not None:
        amb = f"; ambient (kept across execve): {', '.join(p.caps['CapAmb'])}" if p.caps.get("CapAmb") else ""
        out.append(f"The bounding set holds {_count(bnd)}: no execve can ever grant more than these{amb}.")
    if p.no_new_privs is not None:
        out.append("no_new_privs 1: execve can never add privileges (setuid bits and file capabilities are ignored)."
                   if p.no_new_privs else "no_new_privs 0: a setuid-root program could still raise privileges.")
    return tuple(out)


def process_privileges(status_text: str | None = None) -> Privileges:
    """Parse ``/proc/self/status`` (or ``status_text``) into decoded privileges; never raises for a missing /proc.

    Parameters
    ----------
    status_text:
        The text of a ``/proc/<pid>/status`` file; ``None`` reads this process's own.

    Raises
    ------
    ValueError
        If ``status_text`` is given but is not text.
    """
    if (source := "/proc/self/status" if status_text is None else "the given status text") == "/proc/self/status":
        try:
            status_text = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return Privileges(False, source, notes=(
                f"{source} cannot be read here ({exc.strerror or exc}): capabilities and seccomp are Linux kernel "
                f"features and this is {platform.system() or 'an unknown system'}.",))
    if not isinstance(status_text, str):
        raise ValueError(f"status_text must be the text of /proc/<pid>/status, got {type(status_text).__name__}")
    fields = {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in status_text.splitlines() if ":" in ln)}
    masks, caps, ints, problems = {}, {}, {}, []
    for key in (k for k in CAP_SETS if k in fields):
        try:
            caps[key], masks[key] = decode_caps(fields[key]), fields[key]
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
    for key in ("Uid", "Gid", "NoNewPrivs", "Seccomp", "Seccomp_filters"):
        with contextlib.suppress(KeyError, ValueError):
            ints[key] = tuple(int(x) for x in fields[key].split())
    if not caps and "Uid" not in ints:
        return Privileges(False, source, notes=(f"{source} has no Uid or Cap* line: not a process status.", *problems))
    one = {k: (ints.get(k) or (None,))[0] for k in ("NoNewPrivs", "Seccomp", "Seccomp_filters")}
    p = Privileges(True, source, ints.get("Uid", ()), ints.get("Gid", ()), masks, caps, *one.values())
    return dataclasses.replace(p, notes=(*_notes(p), *problems))


def _run_child(params: dict[str, Any], timeout_s: float) -> tuple[dict[str, Any], float]:
    """Run :data:`_CHILD` with ``params`` (the shared runner: time-out, process-group kill, no traceback)."""
    return run_child(_CHILD, params, timeout_s, marker=MARKER)


def _build(obs: dict[str, Any], live: bool, why: str) -> PrivComparison:
    """Rows, checks and notes from the observations: the same code for a live run and for the recording."""
    ch, this, child = obs["child"], process_privileges(obs["this_status"]), process_privileges(obs["child"]["status"])
    before, has_admin = ch["uid_before_unshare"], "CAP_SYS_ADMIN" in child.caps.get("CapEff", ())
    host_uid = int(ch["uid_map"].split()[1])  # uid_map "0 65534 1": uid 0 inside is uid 65534 for the host
    drop = (f"started as uid {ch['uid_start']} (like this process), dropped to uid {before} (nobody) first, so the "
            "lab is the same for root and for an ordinary user" if ch["dropped"] else f"started as uid {before}")
    rows = (("how it started", "this notebook's kernel process", drop),
            ("uid (real, effective)", f"{this.uid[0]}, {this.uid[1]}",
             f"{child.uid[0]}, {child.uid[1]} inside; uid {host_uid} for the host"),
            ("/proc/self/uid_map (inside-id outside-id count)", " ".join(obs["this_uid_map"].split()),
             " ".join(ch["uid_map"].split())),
            *((f"{CAP_SETS[k]} capabilities ({k})", _count(this.caps.get(k, ())), _count(child.caps.get(k, ())))
              for k in ("CapEff", "CapPrm", "CapBnd")),
            ("seccomp, no_new_privs", f"{this.seccomp}, {this.no_new_privs}", f"{child.seccomp}, {child.no_new_privs}"),
            *((q, f"{ch['as_started'][k]} (tried with this process's credentials)", ch["attempts"][k])
              for k, q in _ASK.items()))
    checks = (Check("uid inside the user namespace", "0", str(ch["uid"]), ch["uid"] == 0),
              Check("CAP_SYS_ADMIN in the child's effective set", "present", "present" if has_admin else "absent",
                    has_admin),
              Check("the host's uid for the child (uid_map)", str(before), str(host_uid), host_uid == before),
              *(Check(f"{q}, as root inside", "refused", ch["attempts"][k], ch["attempts"][k] != "allowed")
                for k, q in _ASK.items()),
              Check("no lab process left", "none", str(obs["left"] or "none"), not obs["left"]))
    cve = (cves := data.load("escape_cves")).row(cve="CVE-2022-0185")
    notes = (f"Root inside, not root outside: the child's capabilities count only in its own user namespace; for the "
             f"host kernel it is uid {host_uid}, so host files and host processes stay out of reach.",
             "User namespaces help: a container's root need not be the host's root (rootless containers).",
             "They also widen the kernel's exposed surface: code that used to need real root, such as mounting "
             f"filesystems, becomes reachable to every user. {cve['cve']}: {cve['description']} "
             f"({cves.cite(cve)}).")
    if not live and ch["dropped"]:
        notes += ("In the recording this process was root (hence its column); the child dropped to uid "
                  f"{before} before unsharing, so its column is what any ordinary user gets: see its uid_map.",)
    return PrivComparison(this, child, rows, checks, notes, live, why, observed=obs)


def recorded_comparison() -> PrivComparison:
    """The comparison recorded on 2026-11-26 on the course's build machine (the fallback)."""
    rec = data.recording(RECORDING)
    where = f"{LABEL} ({rec['machine']['description']}, Linux {rec['machine']['kernel']})."
    return dataclasses.replace(_build(rec["observed"], False, where), recorded_on=rec["recorded_on"])


def privileges_in_user_namespace(live: str = "auto", timeout_s: float = 10) -> PrivComparison:
    """This process's privileges vs a child that is root in a new user namespace, live when possible.

    Parameters
    ----------
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.probe.use_live`); live needs user namespaces.
    timeout_s:
        Seconds the child may take before its process group is killed (0.5 to 120).

    Raises
    ------
    ValueError
        If ``live`` or ``timeout_s`` is not valid.
    """
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    go_live, why = _decide(live)
    if go_live:
        try:
            child, elapsed = _run_child({"nobody": NOBODY, "keep": list(_KEEP)}, timeout_s)
            status = Path("/proc/self/status").read_text(encoding="utf-8").splitlines(True)
            obs = {"this_status": "".join(ln for ln in status if ln.startswith(_KEEP)), "child": child,
                   "this_uid_map": Path("/proc/self/uid_map").read_text(encoding="utf-8"),
                   "left": _lab_pids(child["run"]), "child_ms": round(elapsed, 1)}
            return _build(obs, True, f"{why} The child process took {elapsed:.0f} ms (measured here).")
        except (LabFailed, OSError, KeyError, IndexError) as exc:
            return dataclasses.replace(recorded_comparison(), errors=(f"live run failed: {exc}",),
                                       why=f"The live lab failed here ({exc}); showing the comparison {LABEL}.")
    return dataclasses.replace(recorded_comparison(), why=f"{why} Showing the comparison {LABEL}.")


def make_recording() -> dict[str, Any]:
    """Run the lab live and return the recording's contents (how the recording file was made)."""
    if not (c := privileges_in_user_namespace(live="on")).live:
        raise LabFailed(f"cannot record: the lab did not run live ({c.why})")
    machine = {"description": "Firecracker micro-VM, root user", "kernel": platform.release()}
    return {"label": LABEL, "recorded_on": RECORDED_ON, "observed": c.observed, "machine": machine}


def syscall_count(live: str = "auto", *, header: str | os.PathLike[str] | None = None,
                  version_header: str | os.PathLike[str] = "/usr/include/linux/version.h") -> SyscallCount:
    """Count the ``#define __NR_<name> <number>`` lines of this system's kernel headers, or cite a count.

    Parameters
    ----------
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (``"off"`` always shows the cited count).
    header:
        The unistd header to count (default: this architecture's usual paths, :data:`HEADERS`).
    version_header:
        The ``linux/version.h`` saying which kernel the headers describe.

    Raises
    ------
    ValueError
        If ``live`` is not valid.
    """
    validate.choice("live", live, LIVE_MODES)
    paths = [os.fspath(header)] if header is not None else list(HEADERS.get(platform.machine(), ()))
    found = next((p for p in paths if os.path.isfile(p)), None)
    names = dict(_NR.findall(Path(found).read_text(encoding="utf-8", errors="replace"))) if found else {}
    names.pop("syscalls", None)  # asm-generic's __NR_syscalls is the table's size, not a system call
    detail = (f"{found} defines {len(names)} system-call numbers" if names else
              f"no kernel header with system-call numbers at {', '.join(paths) or 'a known path for this machine'}")
    go_live, why = use_live(live, Capability("kernel headers", bool(names), detail,
                                             "install linux-libc-dev (Debian/Ubuntu) or kernel-headers"))
    if go_live and found:
        version, text = "", Path(version_header).read_text(errors="replace") if os.path.isfile(version_header) else ""
        if code := re.search(r"#define LINUX_VERSION_CODE\s+(\d+)", text):  # sublevels above 255 read as 255
            version = f"{(c := int(code.group(1))) >> 16}.{c >> 8 & 255}.{c & 255}"
        return SyscallCount(len(names), max(int(v) for v in names.values()), found, True, HEADER_LABEL, version,
                            platform.release(), why)
    table = data.load("syscall_counts")
    row = table.row(id="x86_64_recent_with_entry_point")
    return SyscallCount(int(row["value"]), None, f"data/syscall_counts.csv ({table.cite(row)})", False, f"cited: "
                        f"{row['subject']}, {row['conditions']} ({table.cite(row)})", "", platform.release(), why)


def _surface_rows(count: SyscallCount) -> list[tuple[str, float, str, str, str]]:
    """(bar label, value, unit, colour key, hover text with the source) for the attack-surface figure."""
    sc, fc = data.load("syscall_counts"), data.load("firecracker_spec")
    where = f"counted here, headers {count.headers_version or 'of unknown version'}" if count.live else "cited"
    out = [("container without seccomp: reachable", count.count, "syscalls", "container", f"{where}: {count.label}")]
    for name, table, rid, colour, extra in (
            ("Docker default seccomp: allowed", sc, "moby_default_unconditional", "container", "unconditionally"),
            ("Docker docs: disabled by default", sc, "docker_docs_disabled", "container", "'around 44'"),
            ("Firecracker jailer: allowed", fc, "nsdi_jailer_syscalls", "microvm", "secondary"),
            ("Firecracker: emulated devices", fc, "site_emulated_devices", "microvm", "")):
        r = table.row(id=rid)
        out.append((name, r["value"], r["unit"], colour, f"{extra}; {r['conditions'] or ''} ({table.cite(r)})"))
    return out


def attack_surface_figure(count: SyscallCount, *, widget: bool = False) -> go.Figure:
    """Log-scale bars: the system calls a container can reach vs seccomp profiles vs Firecracker's devices."""
    rows = _surface_rows(count)
    fig = new_figure("Kernel attack surface: what a container can call vs what Firecracker exposes",
                     "count (log scale)", "", widget=widget, height=380, legend={"orientation": "h", "y": -0.25})
    for colour, label in (("container", "container (system calls into the shared host kernel)"),
                          ("microvm", "Firecracker micro-VM (its jailer's filter and its devices)")):
        pts = [r for r in rows if r[3] == colour]
        fig.add_bar(y=[r[0] for r in pts], x=[r[1] for r in pts], orientation="h", name=label,
                    marker_color=COLORS[colour], text=[f"{r[1]:g} {r[2]}" for r in pts], textposition="outside",
                    hovertext=[r[4] for r in pts], hoverinfo="text", cliponaxis=False)
    fig.update_xaxes(type="log", range=[0, 3.2])
    fig.update_yaxes(categoryorder="array", categoryarray=[r[0] for r in reversed(rows)])
    return fig


def summarize_attack_surface(count: SyscallCount) -> str:
    """One sentence: the container's reachable system calls vs the seccomp and Firecracker figures."""
    _, moby, docs, jailer, devices = (r[1] for r in _surface_rows(count))
    where = f"counted here from kernel headers {count.headers_version}".strip() if count.live else "cited"
    return (f"A container without a seccomp filter can call any of the {count.count} system calls of the kernel it "
            f"shares ({where}); Docker's default profile allows {moby:g} names unconditionally (all architectures "
            f"together) and its docs say it disables around {docs:g}, while Firecracker's jailer allows {jailer:g} "
            f"system calls (secondary) and a guest reaches the host through {devices:g} emulated devices.")


def summarize_privileges(p: Privileges) -> str:
    """One sentence: uid, effective capabilities, seccomp and no_new_privs (or why they are unknown)."""
    if not p.available:
        return f"Privileges could not be read: {p.notes[0] if p.notes else 'no reason given'}"
    uid, mode = p.uid[1:2] or ("unknown",), SECCOMP_MODES.get(p.seccomp, "unknown").split(":")[0]
    return (f"This process runs as uid {uid[0]} with {_count(p.caps.get('CapEff', ()))} capabilities effective, "
            f"seccomp mode {p.seccomp} ({mode}) and no_new_privs {p.no_new_privs} (read from {p.source}).")


def summarize_comparison(c: PrivComparison) -> str:
    """One sentence: root with every capability inside, an ordinary uid outside, host resources refused."""
    ins, where = c.observed["child"], "measured here" if c.live else LABEL
    return (f"In a new user namespace the child was uid {ins['uid']} with {_count(c.child.caps.get('CapEff', ()))} "
            f"capabilities effective, yet for the host it was uid {ins['uid_map'].split()[1]} and the host refused it "
            f"/etc/shadow ({ins['attempts']['/etc/shadow'].split()[0]}) and a signal to PID 1 "
            f"({ins['attempts']['kill(1, 0)'].split()[0]}) ({where}).")


def _table(head: tuple[str, ...], rows: Any) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + f"</tr>{cells}</table>"


def privileges_html(p: Privileges) -> str:
    """HTML: uid/gid, each capability set (mask, how many, names), seccomp, no_new_privs and the notes."""
    sets = [(f"{CAP_SETS[k]} ({k})", p.masks[k], _count(p.caps[k]), ", ".join(p.caps[k]) or "(none)")
            for k in CAP_SETS if k in p.caps]
    ids = (f"<p>uid (real, effective, saved, fs): {' '.join(map(str, p.uid))}; gid: {' '.join(map(str, p.gid))}; "
           f"seccomp {p.seccomp} ({p.seccomp_filters} filters); no_new_privs {p.no_new_privs}</p>")
    notes, table = "".join(f"<li>{html.escape(n)}</li>" for n in p.notes), _table(("set", "mask", "how many",
                                                                                   "capabilities"), sets)
    return (f'<div class="cvm-privlab-privileges"><p>Read from {html.escape(p.source)}.</p>'
            f"{ids if p.available else ''}{table if sets else ''}<ul>{notes}</ul></div>")


def comparison_html(c: PrivComparison) -> str:
    """HTML: provenance, the side-by-side table, the checks with ✔/✘ and the notes."""
    where = "<b>Live</b>, measured here." if c.live else f"<b>Recorded</b> ({html.escape(LABEL)})."
    errors = "".join(f"<p><b>Error:</b> {html.escape(e)}</p>" for e in c.errors)
    checks = [("✔" if k.passed else "✘", k.name, k.expected, k.observed) for k in c.checks]
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in c.notes)
    return (f'<div class="cvm-privlab-comparison"><p>{where} {html.escape(c.why)}</p>{errors}'
            f"{_table(('', 'this process', 'child in a new user namespace'), c.rows)}"
            f"{_table(('', 'check', 'expected', 'observed'), checks)}<ul>{notes}</ul></div>")
