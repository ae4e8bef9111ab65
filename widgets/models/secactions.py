"""Lesson 05's rule lab, as a model: six actions, a learner's rule, and what the kernel answers each action.

A :class:`Rule` is what a container runtime sets before it starts a program: a seccomp deny list (system-call
names checked against :mod:`widgets.models.syscalls`), what a denied call gets (``EPERM``, or the process is
killed with SIGSYS) and the capabilities dropped (names of :data:`widgets.models.privileges.CAPABILITIES`).
The lab (:mod:`widgets.labs.secrule`) runs the :data:`ACTIONS` as root in a new user namespace with its own
UTS, mount and network namespaces, first with no rule and then with the learner's, and reports each outcome.

:func:`expected` says what the rule should change, from the run with no rule, in the order the kernel checks:
the seccomp filter runs at system-call entry, before the call's own permission checks, so a denied call fails
with EPERM (or kills the process) whatever the permissions would have said; only then does the call check a
capability, which is valid only in the user namespace that owns the resource. :func:`practice_problem` draws a
random rule and three actions from a seed (the seeded practice). Pure: no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..core import validate
from .privileges import CAPABILITIES
from .seccomp import ARCHES, check_deny

#: The calls the lab's own action process needs after the filter is loaded: to report (write), to end
#: (exit_group, exit) and to allocate Python's memory. A rule may not deny them.
RESERVED = ("write", "exit", "exit_group", "mmap", "munmap", "brk", "mprotect", "madvise", "mremap")
ON_DENY = ("errno", "kill")
KILLED = "killed (SIGSYS)"
MAX_DROP = len(CAPABILITIES)


@dataclass(frozen=True)
class Action:
    """One thing the lab's process tries: the system calls it makes (in order) and the capability it needs."""

    key: str
    label: str
    calls: tuple[str, ...]
    capability: str = ""  # needed in the user namespace that owns the resource ("" for none)
    without: str = ""  # the errno the call gives without that capability
    why: str = ""  # what decides the outcome with no rule


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action(
            "open-file",
            "open /etc/passwd for reading",
            ("openat",),
            why="a world-readable file: the ordinary permission bits allow it",
        ),
        Action(
            "open-shadow",
            "open /etc/shadow for reading",
            ("openat",),
            why="a host file of the real root: CAP_DAC_OVERRIDE counts only for files whose owner is mapped into "
            "the process's user namespace, so the permission bits refuse it (EACCES)",
        ),
        Action(
            "hostname",
            "change the hostname (its own UTS namespace)",
            ("sethostname",),
            "CAP_SYS_ADMIN",
            "EPERM",
            "the UTS namespace belongs to the process's user namespace, where it holds CAP_SYS_ADMIN",
        ),
        Action(
            "mount",
            "mount a tmpfs (its own mount namespace)",
            ("mount",),
            "CAP_SYS_ADMIN",
            "EPERM",
            "the mount namespace belongs to its user namespace, and tmpfs may be mounted there",
        ),
        Action(
            "low-port",
            "bind TCP port 80 (its own network namespace)",
            ("socket", "bind"),
            "CAP_NET_BIND_SERVICE",
            "EACCES",
            "ports below 1024 need CAP_NET_BIND_SERVICE in the network namespace's user namespace, which it has",
        ),
        Action(
            "kill-pid1",
            "signal PID 1 (signal 0: only asks)",
            ("kill",),
            why="PID 1 belongs to the host's user namespace (or to another user): CAP_KILL inside the process's "
            "own user namespace does not reach it (EPERM), unless PID 1 runs as the same user",
        ),
    )
}
#: An action for tests of the lab's time-out only: pause() waits for a signal that never comes.
PAUSE = Action("pause", "wait for a signal that never comes (pause)", ("pause",), why="it never returns")


@dataclass(frozen=True)
class Rule:
    """A learner's rule: the calls the filter denies, what a denied call gets, the capabilities dropped."""

    deny: tuple[str, ...] = ()
    on_deny: str = "errno"
    drop: tuple[str, ...] = ()

    def describe(self) -> str:
        """The rule in words."""
        what = "fail with EPERM" if self.on_deny == "errno" else "kill the process (SIGSYS)"
        deny = f"deny {', '.join(self.deny)} ({what})" if self.deny else "no seccomp filter"
        drop = f"drop {', '.join(self.drop)}" if self.drop else "keep every capability"
        return f"{deny}; {drop}"


def _names(what: str, value: object) -> list[str]:
    if value is None or value is Ellipsis:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"{what} must be a list of names such as ['sethostname'], got {value!r}")
    return list(value)


def make_rule(deny: object = (), on_deny: object = "errno", drop: object = (), arch: str = "x86_64") -> Rule:
    """Check a learner's rule and return it; ValueError saying exactly what is wrong.

    Parameters
    ----------
    deny:
        System-call names (a list, or text separated by spaces or commas) known on ``arch``; not :data:`RESERVED`.
    on_deny:
        ``"errno"`` (a denied call fails with EPERM) or ``"kill"`` (the process is killed with SIGSYS).
    drop:
        Capability names, such as ``"CAP_SYS_ADMIN"`` (the ``CAP_`` prefix may be left out).
    """
    validate.choice("arch", arch, ARCHES)
    calls = tuple(check_deny(_names("deny", deny), arch))
    if reserved := [c for c in calls if c in RESERVED]:
        raise ValueError(
            f"deny: {', '.join(reserved)} cannot be denied in this lab: the process that tries each action "
            "needs write and exit_group to report and to exit, and mmap, brk... for Python's memory; deny other calls"
        )
    how = validate.choice("on_deny", on_deny, ON_DENY)
    caps = []
    for name in _names("drop", drop):
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"drop: each entry must be a capability name such as 'CAP_SYS_ADMIN', got {name!r}")
        cap = name.strip().upper()
        cap = cap if cap.startswith("CAP_") else f"CAP_{cap}"
        if cap not in CAPABILITIES:
            raise ValueError(f"drop: {name.strip()!r} is not a Linux capability (e.g. CAP_SYS_ADMIN, CAP_NET_RAW)")
        if cap not in caps:
            caps.append(cap)
    return Rule(calls, how, tuple(caps))


def normalise(outcome: object) -> str:
    """A learner's or the lab's outcome in the lab's words: ``"allowed"``, an errno name, or :data:`KILLED`."""
    if not isinstance(outcome, str) or not outcome.strip():
        raise ValueError(f"an outcome is 'allowed', an errno name such as 'EPERM', or 'killed'; got {outcome!r}")
    text = outcome.strip().split(" (")[0].strip()
    if text.lower() in ("allowed", "ok", "works", "succeeds"):
        return "allowed"
    if text.lower() in ("killed", "sigsys", "kill"):
        return KILLED
    if not text.upper().startswith("E") or not text[1:].isalnum():
        raise ValueError(f"an outcome is 'allowed', an errno name such as 'EPERM', or 'killed'; got {outcome!r}")
    return text.upper()


def expected(rule: Rule, action: Action, baseline: str) -> tuple[str, str]:
    """What ``action`` gives under ``rule``, given what it gave with no rule, and why (one sentence).

    The order is the kernel's: the seccomp filter first (at system-call entry), then the call's own checks.
    """
    denied = [c for c in action.calls if c in rule.deny]
    if denied:
        call = denied[0]
        if rule.on_deny == "kill":
            return KILLED, (
                f"{call} is denied with KILL_PROCESS: the process dies of SIGSYS at the call's entry, "
                "before the call runs"
            )
        return "EPERM", (
            f"{call} is denied: the filter answers EPERM at the call's entry, before any permission "
            f"or capability check{' (with no rule it gave ' + baseline + ')' if baseline != 'allowed' else ''}"
        )
    if action.capability and action.capability in rule.drop and baseline == "allowed":
        return action.without, f"{action.capability} is dropped, and this call checks it: {action.without}"
    if action.capability and action.capability in rule.drop:
        return baseline, f"{action.capability} is dropped, but the call already failed without the rule"
    return baseline, f"the rule does not touch it: {action.why}"


def changes(rule: Rule, baseline: dict[str, str]) -> dict[str, str]:
    """The actions whose outcome the rule changes, and their new outcome (the model's prediction)."""
    out = {}
    for key, base in baseline.items():
        now, _ = expected(rule, ACTIONS.get(key, PAUSE), base)
        if now != base:
            out[key] = now
    return out


# -- seeded practice -------------------------------------------------------------------------------------
#: Calls a practice rule draws from: those the actions make, and some they never make.
PRACTICE_CALLS = ("openat", "sethostname", "mount", "socket", "bind", "kill", "unshare", "ptrace", "reboot", "uname")
PRACTICE_CAPS = ("CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_NET_RAW")


@dataclass(frozen=True)
class Problem:
    """One practice problem: a rule, three actions, the outcome of each with no rule, and the answers."""

    seed: int
    rule: Rule
    actions: tuple[str, ...]
    baseline: dict[str, str]
    answers: tuple[str, ...]
    reasons: tuple[str, ...]


def practice_problem(seed: object, baseline: dict[str, str]) -> Problem:
    """A random rule and three of the :data:`ACTIONS`, drawn from ``seed``; the answers from :func:`expected`.

    ``baseline`` is each action's outcome with no rule (the lab's run, live or recorded).
    """
    seed = validate.integer("seed", seed, minimum=0, maximum=2**63 - 1)
    if not isinstance(baseline, dict) or not set(ACTIONS) <= set(baseline):
        raise ValueError(f"baseline must give the outcome of every action with no rule: {', '.join(ACTIONS)}")
    rng = random.Random(seed)
    deny = tuple(rng.sample(PRACTICE_CALLS, rng.randint(1, 3)))
    drop = tuple(rng.sample(PRACTICE_CAPS, rng.randint(0, 2)))
    rule = Rule(deny, rng.choice(("errno", "errno", "kill")), drop)
    keys = tuple(rng.sample(tuple(ACTIONS), 3))
    results = [expected(rule, ACTIONS[k], baseline[k]) for k in keys]
    return Problem(seed, rule, keys, {k: baseline[k] for k in keys}, *map(tuple, zip(*results, strict=True)))
