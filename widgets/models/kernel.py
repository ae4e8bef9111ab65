"""Lesson 05, security: the isolation a Linux kernel gives a container, the escapes, and hardening.

:func:`kernel_features`: which namespace types, cgroup versions and seccomp modes a version has (man-pages, via
``data/namespaces.csv`` and ``data/kernel_features.csv``) and what a container there lacks, in plain words;
:class:`KernelCalculator` draws it. :func:`cve_figure` / :func:`cve_table_html`: ``data/escape_cves.csv``.
:data:`HARDENING`: the checklist, with seeded practice (:func:`check_hardening`). Versions such as ``5.15``,
``5.15.0-91-generic`` and git tags (``v6.1``) are accepted; ``6``, ``6.x`` and numbers (6.1 == 6.10) are not.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass

from ..core import data
from ..core.units import version_key

EXAMPLE = "type a kernel version such as 5.15 or 5.15.0-91-generic"
#: Version-string suffixes that name a distribution's kernel (which backports features).
VENDORS = (
    (r"\.el\d+", "Red Hat family (RHEL, CentOS, Rocky, AlmaLinux)"),
    (r"uek", "Oracle Linux (UEK)"),
    (r"\.amzn\d", "Amazon Linux"),
    (r"-(generic|aws|azure|gcp|gke|lowlatency|oracle)\b", "Ubuntu"),
    (r"\+deb\d+|-(cloud-)?(amd64|arm64)$", "Debian"),
    (r"\.fc\d+", "Fedora"),
    (r"-default$", "SUSE"),
    (r"microsoft-standard", "WSL 2"),
)
#: What to do instead of trusting a version number, and the evidence that el7 kernels were backported.
_CHECK = (
    "Kernel configuration and sysctls can also switch features off: check the running system (for example "
    "whether /sys/fs/cgroup/pids or pids.max exists, or /proc/sys/user/max_user_namespaces is above 0)."
)
BACKPORT_SOURCES = (
    "github.com/gluster/gluster-containers pull request 143 (2019): docker-1.13.1-94 on CentOS 7 (kernel "
    "3.10.0) sets pids.max to 4096; github.com/cri-o/cri-o pull request 641 (2017): CentOS 7.2 lacked the pids "
    "cgroup, a later CentOS 7 release was expected to have it"
)
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+_~]\S*|\.\d\S*)?", re.IGNORECASE)
_RANGES = (("major", 1, 99), ("minor", 0, 999), ("patch", 0, 99_999))


def parse_kernel_version(text: object) -> tuple[int, int, int]:
    """Parse a Linux version string into ``(major, minor, patch)``; the patch defaults to 0.

    Raises
    ------
    ValueError
        For non-text (numbers, None, booleans), empty text, text without ``major.minor``, or numbers out of range
        (major 1-99, minor 0-999, patch 0-99999); the message says what to type.
    """
    if not isinstance(text, str):
        kind = "number" if isinstance(text, int | float) and not isinstance(text, bool) else type(text).__name__
        extra = " (as a number 6.1 and 6.10 are the same)" if kind == "number" else ""
        raise ValueError(f"kernel version must be text, not the {kind} {text!r}{extra}: {EXAMPLE}")
    s = text.strip()
    if not s:
        raise ValueError(f"kernel version is empty: {EXAMPLE}")
    if len(s) > 64:
        raise ValueError(f"kernel version is too long ({len(s)} characters): {EXAMPLE}")
    m = _VERSION.fullmatch(s)
    if m is None:
        raise ValueError(f"kernel version {s!r} is not of the form major.minor[.patch][-suffix]: {EXAMPLE}")
    parts = tuple(int(g or 0) for g in m.groups())
    for (what, lo, hi), n in zip(_RANGES, parts, strict=True):
        if not lo <= n <= hi:
            raise ValueError(f"kernel version {s!r}: the {what} number must be between {lo} and {hi}, got {n}")
    return parts  # type: ignore[return-value]


def release_key(version: str) -> tuple[int, int, int]:
    """A kernel version as (major, minor, patch) for comparisons: '5.15' -> (5, 15, 0)."""
    k = version_key(version)
    return (k + (0, 0, 0))[:3]  # type: ignore[return-value]


@dataclass(frozen=True)
class Feature:
    """One isolation feature, the version that added it, and whether the chosen kernel has it."""

    key: str
    label: str
    short: str
    group: str
    since: str
    present: bool
    lacks: str
    cite: str


@dataclass(frozen=True)
class KernelReport:
    """The isolation features of one kernel version."""

    text: str
    version: tuple[int, int, int]
    features: tuple[Feature, ...]
    origin: str = "typed"

    @property
    def name(self) -> str:
        """'Linux 3.10' or 'Linux 2.6.32'."""
        ma, mi, pa = self.version
        return f"Linux {ma}.{mi}" + (f".{pa}" if pa else "")

    def has(self, key: str) -> bool:
        """Whether the feature ``key`` (e.g. ``"ns:cgroup"``, ``"seccomp-bpf"``) exists in this kernel."""
        return next(f for f in self.features if f.key == key).present

    @property
    def namespaces(self) -> tuple[str, ...]:
        """The namespace types this kernel has."""
        return tuple(f.key[3:] for f in self.features if f.key.startswith("ns:") and f.present)

    @property
    def missing(self) -> tuple[Feature, ...]:
        """The protections a container on this kernel lacks by its upstream version (features with a ``lacks``
        text); a distribution kernel may have more (see :attr:`caveat`)."""
        return tuple(f for f in self.features if not f.present and f.lacks)

    @property
    def vendor(self) -> str:
        """The distribution whose kernel the version string names ("" for an upstream version)."""
        return next((name for pattern, name in VENDORS if re.search(pattern, self.text)), "")

    @property
    def caveat(self) -> str:
        """Why the version number alone cannot tell what this kernel has."""
        if self.vendor:
            return (
                f"This is a {self.vendor.split(' (')[0]} kernel: distributions backport features into their kernels, "
                f"so its upstream version ({self.name}) can under-count what it has (Red Hat's 3.10.0-…el7 kernels "
                f"gained the pids controller of Linux 4.3 in a later RHEL 7 update). {_CHECK}"
            )
        return f"An upstream version number is a guide only. {_CHECK}"


# key -> (row in namespaces.csv ("ns:" keys) or kernel_features.csv, label, short name, what a container lacks
# without it; "" = not a protection by itself). The group is the key's prefix.
_SPECS = {
    "ns:mount": (
        "mount",
        "mount namespace",
        "the mount namespace",
        "the container shares the host's mount table, so it cannot have a root filesystem of its own",
    ),
    "ns:uts": ("uts", "UTS namespace", "the UTS namespace", "setting the hostname in the container renames the host"),
    "ns:ipc": (
        "ipc",
        "IPC namespace",
        "the IPC namespace",
        "System V shared memory and POSIX message queues are shared with the host and every other container",
    ),
    "ns:pid": (
        "pid",
        "PID namespace",
        "the PID namespace",
        "the container sees every process on the host, and its first process is not PID 1",
    ),
    "ns:network": (
        "network",
        "network namespace",
        "the network namespace",
        "the container uses the host's interfaces and ports, so two containers cannot both listen on port 80",
    ),
    "ns:user": (
        "user",
        "user namespace (flag)",
        "the user namespace",
        "user IDs cannot be remapped, so root in the container is root on the host",
    ),
    "userns-unprivileged": (
        "unprivileged user namespaces",
        "user namespace, unprivileged",
        "unprivileged user namespaces",
        "rootless containers impossible, root in the container is root on the host",
    ),
    "ns:cgroup": (
        "cgroup",
        "cgroup namespace",
        "the cgroup namespace",
        "a container sees the host's cgroup paths in /proc/self/cgroup",
    ),
    "ns:time": (
        "time",
        "time namespace",
        "the time namespace",
        "the container sees the host's boot and monotonic clocks, so a container moved to another host sees them jump",
    ),
    "cgroups-v1": (
        "cgroups v1 (initial release)",
        "cgroups v1",
        "cgroups",
        "nothing can cap a container's share of the CPU or pin it to CPUs, so one container can starve the host",
    ),
    "cgroups-v1-memory": (
        "cgroups v1 memory controller",
        "memory controller",
        "the memory controller",
        "nothing can cap a container's memory (--memory), so one container can exhaust the host's",
    ),
    "cgroups-v1-pids": (
        "cgroups v1 pids controller",
        "pids controller",
        "the pids controller",
        "nothing can cap a container's number of processes (--pids-limit does not work), so a fork bomb in one "
        "container starves the host",
    ),
    "cgroups-v2-devel": ("cgroups v2 development begins", "cgroups v2 (development preview)", "", ""),
    "cgroups-v2": (
        "cgroups v2 official",
        "cgroups v2 (with io, memory, pids)",
        "cgroups v2",
        "only the v1 hierarchies, one per controller, which cannot be delegated safely to a rootless engine; v1's "
        "release_agent is what the CVE-2022-0492 escape abused",
    ),
    "seccomp-strict": (
        "seccomp strict mode (prctl PR_SET_SECCOMP)",
        "seccomp strict mode",
        "seccomp",
        "a process cannot give up system calls it does not need",
    ),
    "seccomp-bpf": (
        "seccomp-BPF filtering on x86-64, i386 and x32",
        "seccomp-BPF filters",
        "seccomp-BPF",
        "an engine cannot filter the container's system calls{docker}",
    ),
    "seccomp-syscall": (
        "seccomp() system call",
        "seccomp() system call",
        "the seccomp() system call",
        "",  # not a protection: the same filters install through prctl(PR_SET_SECCOMP) since 3.5
    ),
}


@functools.cache
def feature_specs() -> tuple[Feature, ...]:
    """Every feature (present=False) with its version, plain-words text and citation, oldest first."""
    calls = data.load("syscall_counts")
    d = calls.row(id="docker_docs_disabled")
    docker = f"; Docker's default profile, which disables around {d['value']:g} of them, cannot apply ({calls.cite(d)})"
    out = []
    for key, (row_key, label, short, why) in _SPECS.items():
        ns = key.startswith("ns:")
        table = data.load("namespaces" if ns else "kernel_features")
        row = table.row(**{"namespace" if ns else "feature": row_key})
        group = "namespace" if ns or key.startswith("userns") else key.split("-")[0]
        lacks = f"no {short.removeprefix('the ')}: {why.format(docker=docker)}" if why else ""
        out.append(
            Feature(key, label, short, group, row["kernel_version"], False, lacks, f"{table.cite(row)}: {row['note']}")
        )
    return tuple(sorted(out, key=lambda f: release_key(f.since)))


def kernel_features(version: object) -> KernelReport:
    """Which isolation features Linux ``version`` has, and what a container there lacks.

    Parameters
    ----------
    version:
        A kernel version string (see :func:`parse_kernel_version`).
    """
    v = parse_kernel_version(version)
    feats = tuple(dataclasses.replace(f, present=v >= release_key(f.since)) for f in feature_specs())
    return KernelReport(str(version).strip(), v, feats)


def cve_rows() -> list[dict[str, object]]:
    """The escape CVEs of ``data/escape_cves.csv``, oldest first, with their public date as ``date``."""
    t = data.load("escape_cves")
    rows = [{**r, "id": r["cve"], "date": r["date_public"] or r["date_published"]} for r in t]
    return sorted(rows, key=lambda r: r["date"])
