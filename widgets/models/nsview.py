"""What a process sees after it unshares a chosen set of namespaces: the names, the rules, the explanations.

Pure. :func:`check_namespaces` validates a learner's list (``["user", "pid", "uts", "mount", "net"]``) against
the eight namespace types of Linux; :func:`expected_view` says what an ordinary (unprivileged) process that
unshares them, forks once when it asked for a PID namespace, mounts a fresh ``/proc`` when it has both a PID
and a mount namespace, and sets a hostname when it has a UTS namespace, will see: its PID, its hostname, its
network interfaces, its user id and the processes ``/proc`` lists. :func:`view_of` reads the same five facts
from a run's report (:mod:`widgets.labs.nsrun`), so the model and the kernel can be compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "ALIASES",
    "CHOICES",
    "EFFECTS",
    "FIELDS",
    "NAMES",
    "REFUSED",
    "check_namespaces",
    "check_view",
    "expected_view",
    "key",
    "view_of",
    "why",
]

#: The eight namespace types (namespaces(7)), by the names this course uses.
NAMES = ("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts")
ALIASES = {"mnt": "mount", "net": "network"}
#: What the process reports, and the answers a prediction may give for each.
FIELDS = ("pid", "hostname", "network", "uid", "processes")
CHOICES = {
    "pid": ("1", "host"),
    "hostname": ("container", "host"),
    "network": ("lo only", "host"),
    "uid": ("0", "host"),
    "processes": ("own", "host"),
}
#: The whole view when the kernel refuses the unshare itself.
REFUSED = "refused"
EFFECTS = {
    "user": "in a new user namespace the process writes a uid map (0 <uid> 1) that makes it uid 0 inside "
    "(without one it is 65534), and it holds every capability over the namespaces it owns; without a user "
    "namespace an ordinary user may create none of the others (EPERM)",
    "pid": "the PID namespace renumbers processes: the first process forked into it is PID 1; the caller "
    "itself keeps its host PID, which is why a runtime forks after unshare",
    "mount": "the mount namespace is a private copy of the host's mount table (not an empty one): mounts made "
    "inside, such as a fresh /proc, are invisible outside",
    "uts": "the UTS namespace holds the hostname: set inside, the host keeps its own",
    "network": "a new network namespace has only a loopback interface, lo, and it is down",
    "ipc": "the IPC namespace isolates System V IPC and POSIX message queues: nothing in this view changes",
    "cgroup": "the cgroup namespace makes the process's own cgroup look like the root of /proc/self/cgroup; it "
    "limits nothing and changes nothing in this view",
    "time": "the time namespace offsets the monotonic and boot clocks for the children the process forks next; "
    "nothing in this view changes",
}


def check_namespaces(namespaces: object) -> tuple[str, ...]:
    """The learner's namespace list, checked and in canonical order; ValueError saying what was expected.

    A list (or tuple or set) of namespace names, each once: ``cgroup``, ``ipc``, ``mount`` (or ``mnt``),
    ``network`` (or ``net``), ``pid``, ``time``, ``user``, ``uts``. The empty list is allowed: the process
    then unshares nothing and sees the host.
    """
    listing = ", ".join(NAMES)
    if namespaces is None or namespaces is Ellipsis:
        raise ValueError(f"namespaces is not set yet: write a list such as ['user', 'pid'] (names: {listing})")
    if isinstance(namespaces, str | bytes) or not isinstance(namespaces, list | tuple | set | frozenset):
        raise ValueError(
            f"namespaces must be a list of names such as ['user', 'pid'], got {type(namespaces).__name__} "
            f"{namespaces!r:.60} (names: {listing})"
        )
    seen: list[str] = []
    for item in namespaces:
        if not isinstance(item, str):
            raise ValueError(f"each namespace is a name in quotes, such as 'pid'; got {item!r:.40} (names: {listing})")
        name = ALIASES.get(item.strip().lower(), item.strip().lower())
        if name not in NAMES:
            raise ValueError(f"{item!r:.40} is not a namespace type; the eight are: {listing}")
        if name in seen:
            raise ValueError(f"{name!r} is listed twice: name each namespace once")
        seen.append(name)
    return tuple(n for n in NAMES if n in seen)


def key(namespaces: object) -> str:
    """The canonical key of a namespace set (``"mount,pid,user"``; ``""`` for none), as the recording uses."""
    return ",".join(check_namespaces(namespaces))


def expected_view(namespaces: object, *, privileged: bool = False) -> dict[str, str] | str:
    """What the process sees, field by field (:data:`CHOICES`), or :data:`REFUSED`.

    ``privileged``: the process holds CAP_SYS_ADMIN on the host (root); the lab never runs so, but the rule
    is stated: only then may it unshare without a user namespace.
    """
    chosen = set(check_namespaces(namespaces))
    if chosen and "user" not in chosen and not privileged:
        return REFUSED
    return {
        "pid": "1" if "pid" in chosen else "host",
        "hostname": "container" if "uts" in chosen else "host",
        "network": "lo only" if "network" in chosen else "host",
        "uid": "0" if "user" in chosen else "host",
        "processes": "own" if {"pid", "mount"} <= chosen else "host",
    }


def view_of(report: Mapping[str, Any], hostname: str) -> dict[str, str] | str:
    """The five facts of a run's report (``pid``, ``hostname``, ``uid``, ``pids``, namespace links) as choices."""
    if report.get("refused"):
        return REFUSED
    host_net, net = report.get("host_ns", {}).get("net", ""), report.get("ns", {}).get("net", "")
    return {
        "pid": "1" if report.get("pid") == 1 else "host",
        "hostname": "container" if report.get("hostname") == hostname != report.get("host_hostname") else "host",
        "network": "lo only" if net != host_net and report.get("interfaces") == ["lo"] else "host",
        "uid": "0" if report.get("uid") == 0 else "host",
        "processes": "own" if report.get("pids") == [1] else "host",
    }


def check_view(prediction: object) -> dict[str, str] | str:
    """A learner's prediction of the view, checked: :data:`REFUSED`, or a mapping of the five fields.

    Each field takes one of :data:`CHOICES` (``pid`` and ``uid`` also as the numbers 1 and 0).
    Raises ValueError saying what was expected.
    """
    if isinstance(prediction, str) and prediction.strip().lower() == REFUSED:
        return REFUSED
    if not isinstance(prediction, Mapping):
        raise ValueError(
            f"a prediction is 'refused' or a dict with the keys {', '.join(FIELDS)}; got "
            f"{type(prediction).__name__} {prediction!r:.60}"
        )
    missing = [f for f in FIELDS if f not in prediction]
    extra = [str(k) for k in prediction if k not in FIELDS]
    if missing or extra:
        raise ValueError(
            f"the prediction needs exactly the keys {', '.join(FIELDS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else "")
        )
    out = {}
    for f in FIELDS:
        value = prediction[f]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or value.strip().lower() not in CHOICES[f]:
            raise ValueError(f"{f}: predict one of {', '.join(map(repr, CHOICES[f]))}; got {prediction[f]!r:.40}")
        out[f] = value.strip().lower()
    return out


def why(field: str, namespaces: object, seen: str) -> str:
    """Why the process saw ``seen`` for ``field`` with this namespace set (for a prediction that differed)."""
    chosen = set(check_namespaces(namespaces))
    reasons = {
        ("pid", "1"): "the lab forks once after unshare(CLONE_NEWPID): the child is the new PID namespace's first "
        "process, PID 1 (the caller itself keeps its host PID)",
        ("pid", "host"): "without a PID namespace the process keeps its number in the host's PID namespace",
        ("hostname", "container"): "the UTS namespace holds the hostname: set inside it, the host keeps its own",
        ("hostname", "host"): "without a UTS namespace of its own the process may not change the hostname (the lab "
        "does not try), so it sees the host's",
        ("network", "lo only"): "a new network namespace has only a loopback interface, lo, and it is down",
        ("network", "host"): "only a network namespace of its own hides the host's interfaces",
        ("uid", "0"): "the user namespace's uid map makes the process uid 0 inside, while it stays an ordinary "
        "user outside",
        ("uid", "host"): "uid 0 inside comes only from a user namespace's uid map",
        ("processes", "own"): "with a PID and a mount namespace the lab mounts a fresh /proc, which lists only the "
        "new PID namespace's processes",
        ("processes", "host"): "ps and /proc show the PID namespace /proc was mounted for: without a mount namespace "
        "to mount a fresh /proc in, a new PID namespace still lists the host's processes"
        if "pid" in chosen
        else "without a PID namespace, /proc lists the host's processes",
    }
    return reasons[(field, seen)]
