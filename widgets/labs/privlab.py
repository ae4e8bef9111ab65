"""Lesson 05, live: capabilities, seccomp, user namespaces and the kernel's system-call surface.

:func:`process_privileges` decodes ``/proc/self/status``; :func:`privileges_in_user_namespace` runs a child (dropped
to uid 65534 if root) that becomes root in a new user namespace and shows what that root cannot do on the host;
:func:`syscall_count` counts the system calls in the kernel headers. ``live="off"`` shows the recording / cited data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import data, validate
from ..models.privileges import CAPABILITIES, decode_caps
from .base import LIVE_MODES, Capability, Check, LabFailed, Recording, lab_pids, run_child, use_live
from .capabilities import decide

CAP_SETS = {
    "CapInh": "inheritable",
    "CapPrm": "permitted",
    "CapEff": "effective",
    "CapBnd": "bounding",
    "CapAmb": "ambient",
}


SECCOMP_MODES = {
    0: "no system-call filter: every system call this kernel has is reachable",
    1: "strict: only read, write, _exit and sigreturn are allowed",
    2: "filter: a BPF program decides, call by call, which system calls are allowed",
}


RECORDING = Recording("privileges", "2026-11-26")
LABEL = f"{RECORDING.label}, where this process ran as root"
MARKER = "cvm-privlab"
NOBODY = 65534


HEADER_LABEL = (
    "counted here from the installed kernel headers (which describe the headers' kernel version, "
    "not necessarily the running kernel)"
)


HEADERS = {
    "x86_64": ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"),
    "aarch64": ("/usr/include/asm-generic/unistd.h",),
}


_NR = re.compile(r"^[ \t]*#[ \t]*define[ \t]+__NR_(\w+)[ \t]+(\d+)[ \t]*$", re.M)
_KEEP = ("Uid:", "Gid:", "Cap", "NoNewPrivs:", "Seccomp")


_ASK = {
    "/etc/shadow": "open /etc/shadow read-only (a root-only host file)",
    "kill(1, 0)": "kill(1, 0): may it signal the host's PID 1? (signal 0 only asks)",
}


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


def caps_text(names: tuple[str, ...]) -> str:
    """A capability set in words: "all 41" or "38 of 41 (all but ...)"."""
    missing, n = [c for c in CAPABILITIES if c not in names], len(CAPABILITIES)
    but = f" (all but {', '.join(missing)})" if 0 < len(missing) <= 3 else ""
    return f"all {n}" if not missing else f"{n - len(missing)} of {n}{but}"


def _notes(p: Privileges) -> tuple[str, ...]:
    out, eff, bnd = [], p.caps.get("CapEff"), p.caps.get("CapBnd")
    if p.seccomp is not None:
        n = f" ({p.seccomp_filters} filter(s) attached)" if p.seccomp == 2 and p.seccomp_filters else ""
        out.append(f"seccomp {p.seccomp}: {SECCOMP_MODES.get(p.seccomp, 'a mode this lesson does not know')}{n}.")
    if eff is not None:
        out.append(
            f"{f'uid {p.uid[1]}' if len(p.uid) > 1 else 'This process'} has {caps_text(eff)} capabilities "
            "effective"
            + (
                ": privileged operations are refused."
                if not eff
                else ", each valid only for resources owned by the user namespace it lives in."
            )
        )
    if bnd is not None:
        amb = f"; ambient (kept across execve): {', '.join(p.caps['CapAmb'])}" if p.caps.get("CapAmb") else ""
        out.append(f"The bounding set holds {caps_text(bnd)}: no execve can ever grant more than these{amb}.")
    if p.no_new_privs is not None:
        out.append(
            "no_new_privs 1: execve can never add privileges (setuid bits and file capabilities are ignored)."
            if p.no_new_privs
            else "no_new_privs 0: a setuid-root program could still raise privileges."
        )
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
            return Privileges(
                False,
                source,
                notes=(
                    f"{source} cannot be read here ({exc.strerror or exc}): capabilities and seccomp are Linux kernel "
                    f"features and this is {platform.system() or 'an unknown system'}.",
                ),
            )
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


def _build(obs: dict[str, Any], live: bool, why: str) -> PrivComparison:
    """Rows, checks and notes from the observations: the same code for a live run and for the recording."""
    ch, this, child = obs["child"], process_privileges(obs["this_status"]), process_privileges(obs["child"]["status"])
    before, has_admin = ch["uid_before_unshare"], "CAP_SYS_ADMIN" in child.caps.get("CapEff", ())
    host_uid = int(ch["uid_map"].split()[1])  # uid_map "0 65534 1": uid 0 inside is uid 65534 for the host
    drop = (
        f"started as uid {ch['uid_start']} (like this process), dropped to uid {before} (nobody) first, so the "
        "lab is the same for root and for an ordinary user"
        if ch["dropped"]
        else f"started as uid {before}"
    )
    rows = (
        ("how it started", "this notebook's kernel process", drop),
        (
            "uid (real, effective)",
            f"{this.uid[0]}, {this.uid[1]}",
            f"{child.uid[0]}, {child.uid[1]} inside; uid {host_uid} for the host",
        ),
        (
            "/proc/self/uid_map (inside-id outside-id count)",
            " ".join(obs["this_uid_map"].split()),
            " ".join(ch["uid_map"].split()),
        ),
        *(
            (f"{CAP_SETS[k]} capabilities ({k})", caps_text(this.caps.get(k, ())), caps_text(child.caps.get(k, ())))
            for k in ("CapEff", "CapPrm", "CapBnd")
        ),
        ("seccomp, no_new_privs", f"{this.seccomp}, {this.no_new_privs}", f"{child.seccomp}, {child.no_new_privs}"),
        *(
            (q, f"{ch['as_started'][k]} (tried with this process's credentials)", ch["attempts"][k])
            for k, q in _ASK.items()
        ),
    )
    checks = (
        Check("uid inside the user namespace", "0", str(ch["uid"]), ch["uid"] == 0),
        Check("CAP_SYS_ADMIN in the child's effective set", "present", "present" if has_admin else "absent", has_admin),
        Check("the host's uid for the child (uid_map)", str(before), str(host_uid), host_uid == before),
        *(
            Check(f"{q}, as root inside", "refused", ch["attempts"][k], ch["attempts"][k] != "allowed")
            for k, q in _ASK.items()
        ),
        Check("no lab process left", "none", str(obs["left"] or "none"), not obs["left"]),
    )
    cve = (cves := data.load("escape_cves")).row(cve="CVE-2022-0185")
    notes = (
        f"Root inside, not root outside: the child's capabilities count only in its own user namespace; for the "
        f"host kernel it is uid {host_uid}, so host files and host processes stay out of reach.",
        "User namespaces help: a container's root need not be the host's root (rootless containers).",
        "They also widen the kernel's exposed surface: code that used to need real root, such as mounting "
        f"filesystems, becomes reachable to every user. {cve['cve']}: {cve['description']} "
        f"({cves.cite(cve)}).",
    )
    if not live and ch["dropped"]:
        notes += (
            "In the recording this process was root (hence its column); the child dropped to uid "
            f"{before} before unsharing, so its column is what any ordinary user gets: see its uid_map.",
        )
    return PrivComparison(this, child, rows, checks, notes, live, why, observed=obs)


def recorded_comparison() -> PrivComparison:
    """The comparison recorded on 2026-11-26 on the course's build machine (the fallback)."""
    rec = RECORDING.load()
    where = f"{LABEL} ({rec['machine']['description']}, Linux {rec['machine']['kernel']})."
    return dataclasses.replace(_build(rec["observed"], False, where), recorded_on=rec["recorded_on"])


def privileges_in_user_namespace(live: str = "auto", timeout_s: float = 10) -> PrivComparison:
    """This process's privileges vs a child that is root in a new user namespace, live when possible.

    Parameters
    ----------
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`); live needs user namespaces.
    timeout_s:
        Seconds the child may take before its process group is killed (0.5 to 120).

    Raises
    ------
    ValueError
        If ``live`` or ``timeout_s`` is not valid.
    """
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    go_live, why = decide(live, "user namespaces")
    if go_live:
        try:
            child, elapsed = run_child("privileges", {"nobody": NOBODY, "keep": list(_KEEP)}, timeout_s, marker=MARKER)
            status = Path("/proc/self/status").read_text(encoding="utf-8").splitlines(True)
            obs = {
                "this_status": "".join(ln for ln in status if ln.startswith(_KEEP)),
                "child": child,
                "this_uid_map": Path("/proc/self/uid_map").read_text(encoding="utf-8"),
                "left": lab_pids(child["run"]),
                "child_ms": round(elapsed, 1),
            }
            return _build(obs, True, f"{why} The child process took {elapsed:.0f} ms (measured here).")
        except (LabFailed, OSError, KeyError, IndexError) as exc:
            return dataclasses.replace(
                recorded_comparison(),
                errors=(f"live run failed: {exc}",),
                why=f"The live lab failed here ({exc}); showing the comparison {LABEL}.",
            )
    return dataclasses.replace(recorded_comparison(), why=f"{why} Showing the comparison {LABEL}.")


def make_recording() -> dict[str, Any]:
    """Run the lab live and return the recording's contents (how the recording file was made)."""
    if not (c := privileges_in_user_namespace(live="on")).live:
        raise LabFailed(f"cannot record: the lab did not run live ({c.why})")
    machine = {"description": "Firecracker micro-VM, root user", "kernel": platform.release()}
    return {"label": LABEL, "recorded_on": RECORDING.recorded_on, "observed": c.observed, "machine": machine}


def syscall_count(
    live: str = "auto",
    *,
    header: str | os.PathLike[str] | None = None,
    version_header: str | os.PathLike[str] = "/usr/include/linux/version.h",
) -> SyscallCount:
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
    detail = (
        f"{found} defines {len(names)} system-call numbers"
        if names
        else f"no kernel header with system-call numbers at {', '.join(paths) or 'a known path for this machine'}"
    )
    go_live, why = use_live(
        live,
        Capability("kernel headers", bool(names), detail, "install linux-libc-dev (Debian/Ubuntu) or kernel-headers"),
    )
    if go_live and found:
        version, text = "", Path(version_header).read_text(errors="replace") if os.path.isfile(version_header) else ""
        if code := re.search(r"#define LINUX_VERSION_CODE\s+(\d+)", text):  # sublevels above 255 read as 255
            version = f"{(c := int(code.group(1))) >> 16}.{c >> 8 & 255}.{c & 255}"
        return SyscallCount(
            len(names), max(int(v) for v in names.values()), found, True, HEADER_LABEL, version, platform.release(), why
        )
    table = data.load("syscall_counts")
    row = table.row(id="x86_64_recent_with_entry_point")
    return SyscallCount(
        int(row["value"]),
        None,
        f"data/syscall_counts.csv ({table.cite(row)})",
        False,
        f"cited: {row['subject']}, {row['conditions']} ({table.cite(row)})",
        "",
        platform.release(),
        why,
    )
