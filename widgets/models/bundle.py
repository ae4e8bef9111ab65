"""An OCI runtime bundle's ``config.json`` (runtime specification 1.0.2): written, and checked field by field.

A bundle is a directory holding ``config.json`` and the root file system it names (``root.path``). The
config says everything a runtime does before it starts the program: the namespaces, the uid/gid maps of
the user namespace, the mounts, the hostname, the capability sets, ``noNewPrivileges``, the seccomp policy
and the cgroup limits. :func:`make_config` writes one for the course's image; :func:`check_config` reads
any config and raises ``ValueError`` naming ``config.json`` and the field at fault. The course's runner
(:mod:`widgets.labs.runtime`) and Debian's ``runc`` run the same file. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import data, validate
from .privileges import CAPABILITIES
from .seccomp import SCMP_ARCH, Filter, assemble

OCI_VERSION = "1.0.2"
NAMESPACES = ("user", "mount", "pid", "uts", "ipc", "network", "cgroup")
MOUNT_TYPES = ("proc", "tmpfs")
_HOSTNAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MIN_MEMORY_MIB, MAX_MEMORY_MIB = 4, 1024


@dataclass(frozen=True)
class Plan:
    """What a checked config asks the runner to do (the config's own fields, in the runner's terms)."""

    args: tuple[str, ...]
    env: tuple[str, ...]
    cwd: str
    root: str
    hostname: str
    namespaces: tuple[str, ...]
    uid_map: tuple[tuple[int, int, int], ...]
    gid_map: tuple[tuple[int, int, int], ...]
    mounts: tuple[dict[str, Any], ...]
    capabilities: dict[str, tuple[str, ...]]
    no_new_privileges: bool
    seccomp: Filter | None
    memory_bytes: int | None
    cpu_quota_us: int | None
    cpu_period_us: int | None
    pids_limit: int | None


def docker_default_capabilities() -> tuple[str, ...]:
    """The 14 capabilities Docker keeps for a container (``data/docker_default_capabilities.csv``)."""
    return tuple(data.load("docker_default_capabilities").column("capability"))


def check_hostname(hostname: object) -> str:
    if not isinstance(hostname, str) or not _HOSTNAME.fullmatch(hostname):
        raise ValueError(
            "hostname must be text of 1 to 63 characters a-z, 0-9 and '-', not starting or ending "
            f"with '-'; got {hostname!r}"
        )
    return hostname


def check_caps(name: str, caps: object) -> tuple[str, ...]:
    if isinstance(caps, str) or not isinstance(caps, Sequence):
        raise ValueError(f"{name} must be a list of capability names such as ['CAP_CHOWN'], got {caps!r}")
    out = []
    for cap in caps:
        key = cap.strip().upper() if isinstance(cap, str) else cap
        key = key if not isinstance(key, str) or key.startswith("CAP_") else "CAP_" + key
        if key not in CAPABILITIES:
            raise ValueError(f"{name}: {cap!r} is not a Linux capability (e.g. CAP_CHOWN, CAP_NET_RAW)")
        if key not in out:
            out.append(key)
    return tuple(out)


def make_config(
    args: Sequence[str] = ("/bin/hello",),
    hostname: str = "course-container",
    uid: int = 1000,
    gid: int = 1000,
    deny: Sequence[str] | str = ("unshare",),
    capabilities: Sequence[str] | None = None,
    memory_mib: float | None = None,
    cpu_quota: float | None = None,
    pids_limit: int | None = None,
    cgroups_path: str = "",
    arch: str = "x86_64",
) -> dict[str, Any]:
    """A ``config.json`` for the course's image (every input checked; ValueError names the input).

    Parameters
    ----------
    args:
        The process: ``["/bin/hello"]``; ``["/bin/hello", "/note.txt"]`` writes that file first; ``"eat"``
        eats memory, ``"spin"`` burns CPU.
    hostname:
        The UTS namespace's hostname.
    uid, gid:
        The host ids that the container's root (0) maps to: one id each (a single-id map, what an ordinary
        user may write without ``newuidmap``).
    deny:
        System calls the seccomp filter makes fail with EPERM (default: ``unshare``).
    capabilities:
        The bounding, effective and permitted sets (default: Docker's 14, from ``data/``).
    memory_mib, cpu_quota, pids_limit:
        cgroup limits: memory in MiB (4 to 1024), CPUs as a fraction of one (0.01 to 1; period 100 ms),
        tasks; None: no limit.
    cgroups_path:
        ``linux.cgroupsPath`` for runc (empty: none).
    arch:
        The seccomp filter's architecture.
    """
    if isinstance(args, str) or not isinstance(args, Sequence) or not args:
        raise ValueError(f"args must be a non-empty list of text such as ['/bin/hello'], got {args!r}")
    if not all(isinstance(a, str) and a and a.isprintable() for a in args):
        raise ValueError(f"args must hold printable, non-empty text only, got {list(args)!r}")
    uid = validate.integer("uid", uid, minimum=0, maximum=2**32 - 2)
    gid = validate.integer("gid", gid, minimum=0, maximum=2**32 - 2)
    caps = docker_default_capabilities() if capabilities is None else check_caps("capabilities", capabilities)
    flt = assemble(deny, arch)
    resources: dict[str, Any] = {}
    if memory_mib is not None:
        mib = validate.number("memory_mib", memory_mib, minimum=MIN_MEMORY_MIB, maximum=MAX_MEMORY_MIB, unit="MiB")
        resources["memory"] = {"limit": int(mib * 2**20), "swap": int(mib * 2**20)}
    if cpu_quota is not None:
        share = validate.number("cpu_quota", cpu_quota, minimum=0.01, maximum=1.0, unit="CPUs")
        resources["cpu"] = {"quota": int(round(share * 100_000)), "period": 100_000}
    if pids_limit is not None:
        resources["pids"] = {"limit": validate.integer("pids_limit", pids_limit, minimum=1, maximum=4096)}
    if not isinstance(cgroups_path, str) or (cgroups_path and not re.fullmatch(r"/[A-Za-z0-9._/-]+", cgroups_path)):
        raise ValueError(f"cgroups_path must be empty or an absolute path such as /cvm-lab, got {cgroups_path!r}")
    linux: dict[str, Any] = {
        "namespaces": [{"type": t} for t in NAMESPACES],
        "uidMappings": [{"containerID": 0, "hostID": uid, "size": 1}],
        "gidMappings": [{"containerID": 0, "hostID": gid, "size": 1}],
        "seccomp": {
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": [SCMP_ARCH[arch]],
            "syscalls": [{"names": sorted(flt.deny), "action": "SCMP_ACT_ERRNO", "errnoRet": flt.errno}]
            if flt.deny
            else [],
        },
    }
    if resources:
        linux["resources"] = resources
    if cgroups_path:
        linux["cgroupsPath"] = cgroups_path
    return {
        "ociVersion": OCI_VERSION,
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": ["PATH=/bin", "HOME=/"],
            "cwd": "/",
            "capabilities": {k: list(caps) for k in ("bounding", "effective", "permitted")}
            | {"inheritable": [], "ambient": []},
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": check_hostname(hostname),
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]},
        ],
        "linux": linux,
    }


def _field(doc: Mapping[str, Any], path: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            if required:
                raise ValueError(f"config.json: the field {path} is missing")
            return None
        node = node[part]
    if not isinstance(node, kind) or (isinstance(node, bool) and kind is int):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ValueError(f"config.json: {path} must be {want}, found {node!r}")
    return node


def _maps(doc: Mapping[str, Any], key: str) -> tuple[tuple[int, int, int], ...]:
    rows = _field(doc, f"linux.{key}", list)
    if not rows:
        raise ValueError(f"config.json: linux.{key} must map at least the container's id 0")
    out = []
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping) or any(
            not isinstance(row.get(k), int) or isinstance(row.get(k), bool) or row[k] < 0
            for k in ("containerID", "hostID", "size")
        ):
            raise ValueError(f"config.json: linux.{key}[{n}] needs whole numbers containerID, hostID and size")
        out.append((row["containerID"], row["hostID"], row["size"]))
    return tuple(out)


def _seccomp(doc: Mapping[str, Any], arch: str) -> Filter | None:
    sec = _field(doc, "linux.seccomp", dict, required=False)
    if sec is None:
        return None
    if sec.get("defaultAction") != "SCMP_ACT_ALLOW":
        raise ValueError("config.json: linux.seccomp.defaultAction must be SCMP_ACT_ALLOW for the course's runner")
    names, errno = [], 1
    for n, rule in enumerate(sec.get("syscalls") or []):
        if not isinstance(rule, Mapping) or rule.get("action") != "SCMP_ACT_ERRNO":
            raise ValueError(f"config.json: linux.seccomp.syscalls[{n}].action must be SCMP_ACT_ERRNO")
        if not isinstance(rule.get("names"), list):
            raise ValueError(f"config.json: linux.seccomp.syscalls[{n}].names must be a list of system-call names")
        names += rule["names"]
        errno = rule.get("errnoRet", 1)
    try:
        return assemble(names, arch, errno)
    except ValueError as exc:
        raise ValueError(f"config.json: linux.seccomp: {exc}") from None


def check_config(doc: object, arch: str = "x86_64") -> Plan:
    """Check a ``config.json`` (parsed) field by field and return what the runner must do.

    Raises
    ------
    ValueError
        ``config.json: <field> ...``: the first field that is missing, of the wrong type, or asks for
        something the course's runner does not do (it needs a user namespace; mounts of proc and tmpfs).
    """
    if not isinstance(doc, Mapping):
        raise ValueError(f"config.json must hold a JSON object, found {type(doc).__name__}")
    version = _field(doc, "ociVersion", str)
    if not version.startswith("1."):
        raise ValueError(f"config.json: ociVersion {version!r} is not a 1.x runtime specification")
    args = _field(doc, "process.args", list)
    if not args or not all(isinstance(a, str) and a for a in args):
        raise ValueError("config.json: process.args must be a non-empty list of text (args[0] is the program)")
    if not args[0].startswith("/"):
        raise ValueError(f"config.json: process.args[0] must be an absolute path in the image, found {args[0]!r}")
    env = _field(doc, "process.env", list, required=False) or []
    if not all(isinstance(e, str) and "=" in e for e in env):
        raise ValueError("config.json: process.env must be a list of 'NAME=value' text")
    cwd = _field(doc, "process.cwd", str)
    if not cwd.startswith("/"):
        raise ValueError(f"config.json: process.cwd must be an absolute path, found {cwd!r}")
    root = _field(doc, "root.path", str)
    if not root or ".." in root.split("/"):
        raise ValueError(f"config.json: root.path must name the root file system's directory, found {root!r}")
    try:
        hostname = check_hostname(_field(doc, "hostname", str, required=False) or "container")
    except ValueError as exc:
        raise ValueError(f"config.json: {exc}") from None
    spaces = [n.get("type") if isinstance(n, Mapping) else n for n in _field(doc, "linux.namespaces", list)]
    for n, t in enumerate(spaces):
        if t not in NAMESPACES:
            raise ValueError(f"config.json: linux.namespaces[{n}].type {t!r} is not one of {', '.join(NAMESPACES)}")
        if (
            t != "user"
            and isinstance(doc["linux"]["namespaces"][n], Mapping)
            and "path" in doc["linux"]["namespaces"][n]
        ):
            raise ValueError(f"config.json: linux.namespaces[{n}].path: joining a namespace is not supported here")
    if "user" not in spaces:
        raise ValueError("config.json: linux.namespaces must include 'user': the course's runner runs without root")
    mounts = tuple(_field(doc, "mounts", list, required=False) or [])
    for n, m in enumerate(mounts):
        if not isinstance(m, Mapping) or not str(m.get("destination", "")).startswith("/"):
            raise ValueError(f"config.json: mounts[{n}].destination must be an absolute path")
        if m.get("type") not in MOUNT_TYPES:
            raise ValueError(f"config.json: mounts[{n}].type {m.get('type')!r}: the course's runner mounts proc, tmpfs")
    caps = _field(doc, "process.capabilities", dict, required=False) or {}
    sets = {
        k: check_caps(f"config.json: process.capabilities.{k}", caps.get(k, []))
        for k in ("bounding", "effective", "permitted", "inheritable", "ambient")
    }
    res = _field(doc, "linux.resources", dict, required=False) or {}
    memory = _field(res, "memory.limit", int, required=False)
    if memory is not None and not MIN_MEMORY_MIB * 2**20 <= memory <= MAX_MEMORY_MIB * 2**20:
        raise ValueError(
            f"config.json: linux.resources.memory.limit must be {MIN_MEMORY_MIB} to {MAX_MEMORY_MIB} MiB in bytes, "
            f"found {memory}"
        )
    quota, period = _field(res, "cpu.quota", int, required=False), _field(res, "cpu.period", int, required=False)
    if quota is not None and (quota <= 0 or (period is not None and period <= 0)):
        raise ValueError("config.json: linux.resources.cpu.quota and cpu.period must be positive microseconds")
    return Plan(
        tuple(args),
        tuple(env),
        cwd,
        root,
        hostname,
        tuple(spaces),
        _maps(doc, "uidMappings"),
        _maps(doc, "gidMappings"),
        mounts,
        sets,
        bool(_field(doc, "process.noNewPrivileges", bool, required=False)),
        _seccomp(doc, arch),
        memory,
        quota,
        period if quota is not None else None,
        _field(res, "pids.limit", int, required=False),
    )
