"""Lesson 05, live: a learner's seccomp rule and dropped capabilities, applied to six real actions.

:func:`run_rule` runs the :data:`widgets.models.secactions.ACTIONS` in the privileges lab's child
(``children/privileges.py``): an ordinary user (``nobody`` if this process is root) that becomes root in a
new user namespace with its own UTS, mount and network namespaces, so a changed hostname, a mount or a bound
port are the namespace's, never the host's. Each action runs in a process of its own, which drops the
rule's capabilities, loads its seccomp filter (assembled by :mod:`widgets.models.seccomp`) and reports the
outcome; a process the filter kills, or one that hangs, is reported as such. The rule is data (JSON), never
code or a shell command. Without user namespaces, or with ``live="off"``, the outcomes come from the run
recorded on the course's build machine and the model (:func:`widgets.models.secactions.expected`).
"""

from __future__ import annotations

import dataclasses
import os
import platform
import tempfile
from dataclasses import dataclass, field

from ..core import validate
from ..models import secactions
from ..models.privileges import CAPABILITIES
from ..models.seccomp import ARCHES, assemble
from .base import LabFailed, Recording, lab_pids, run_child
from .capabilities import decide

__all__ = ["RECORDING", "RuleRun", "baseline", "recorded", "run_rule"]

RECORDING = Recording("rule_actions", "2026-12-03")
MARKER = "cvm-rulelab"
NOBODY = 65534


@dataclass(frozen=True)
class RuleRun:
    """The outcome of each action under a rule (live, or the recording and the model), and how it was got."""

    rule: secactions.Rule
    outcomes: dict[str, str]
    live: bool
    why: str
    source: str  # "measured here", or what the fallback is
    elapsed_ms: float = 0.0
    errors: tuple[str, ...] = ()
    left: tuple[int, ...] = field(default_factory=tuple)


def _arch() -> str:
    machine = platform.machine()
    return machine if machine in ARCHES else "x86_64"


def recorded() -> dict[str, object]:
    """The recording: the build machine's outcomes with no rule and under a few rules."""
    return RECORDING.load()


def _fallback(rule: secactions.Rule, why: str, errors: tuple[str, ...] = ()) -> RuleRun:
    rec = recorded()
    base = dict(rec["baseline"])
    outcomes = {k: secactions.expected(rule, secactions.ACTIONS[k], v)[0] for k, v in base.items()}
    source = (
        f"the model applied to the run with no rule {RECORDING.label} (Linux {rec['machine']['kernel']}); "
        "not measured here"
    )
    if not rule.deny and not rule.drop:
        source = f"{RECORDING.label} (Linux {rec['machine']['kernel']}); not measured here"
    return RuleRun(rule, outcomes, False, why, source, errors=errors)


def run_rule(
    deny: object = (),
    on_deny: object = "errno",
    drop: object = (),
    *,
    live: str = "auto",
    actions: tuple[str, ...] = tuple(secactions.ACTIONS),
    timeout_s: float = 20.0,
    action_timeout_s: float = 2.0,
) -> RuleRun:
    """Run the actions under the rule, live when user namespaces allow it, else the recording and the model.

    Parameters
    ----------
    deny, on_deny, drop:
        The rule (see :func:`widgets.models.secactions.make_rule`).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`).
    actions:
        Keys of :data:`~widgets.models.secactions.ACTIONS` (``"pause"`` too: it tests the time-out).
    timeout_s, action_timeout_s:
        Seconds the whole child may take (its process group is then killed), and each action.

    Raises
    ------
    ValueError
        If the rule, ``live``, an action or a time-out is not valid (the message says which).
    """
    arch = _arch()
    rule = secactions.make_rule(deny, on_deny, drop, arch)
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    per = validate.number("action_timeout_s", action_timeout_s, minimum=0.1, maximum=30, unit="s")
    known = (*secactions.ACTIONS, secactions.PAUSE.key)
    keys = tuple(validate.choice("action", a, known) for a in actions)
    go_live, why = decide(live, "user namespaces")
    if not go_live:
        return _fallback(rule, why)
    flt = assemble(rule.deny, arch, kill=rule.on_deny == "kill") if rule.deny else None
    params = {
        "actions": list(keys),
        "filter": flt.rows() if flt else [],
        "drop": sorted(CAPABILITIES.index(c) for c in rule.drop),
        "nobody": NOBODY,
        "action_timeout_s": per,
    }
    with tempfile.TemporaryDirectory(prefix="cvm-rulelab-") as target:
        params["target"] = target
        try:
            if os.geteuid() == 0:
                os.chown(target, NOBODY, NOBODY)  # the child runs as nobody: it mounts on a directory it owns
            report, elapsed = run_child("privileges", params, timeout_s, marker=MARKER)
        except (LabFailed, OSError) as exc:
            return _fallback(rule, f"The live lab failed here ({exc}); showing the fallback.", (str(exc),))
        left = tuple(lab_pids(report["run"]))
        mounted = os.path.ismount(target)
    if mounted:  # cannot happen: the tmpfs lived in the child's own mount namespace
        raise LabFailed(f"{target} is still a mount point after the run")
    return RuleRun(rule, dict(report["outcomes"]), True, why, "measured here", round(elapsed, 1), left=left)


def baseline(live: str = "auto") -> RuleRun:
    """Every action with no rule (live, or recorded)."""
    return run_rule(live=live)


def make_recording() -> dict[str, object]:
    """Run the lab live with no rule and under a few rules: the recording's contents."""
    runs = {}
    for name, rule in {
        "none": {},
        "deny openat, kill": {"deny": ["openat", "kill"]},
        "drop CAP_SYS_ADMIN, CAP_NET_BIND_SERVICE": {"drop": ["CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"]},
        "deny sethostname with kill": {"deny": ["sethostname"], "on_deny": "kill"},
        "deny bind, drop CAP_NET_BIND_SERVICE": {"deny": ["bind"], "drop": ["CAP_NET_BIND_SERVICE"]},
    }.items():
        run = run_rule(**rule, live="on")
        if not run.live:
            raise LabFailed(f"cannot record: the lab did not run live ({run.why})")
        runs[name] = {"rule": dataclasses.asdict(run.rule), "outcomes": run.outcomes}
    return {
        "label": RECORDING.label,
        "recorded_on": RECORDING.recorded_on,
        "machine": {"description": "Firecracker micro-VM, root user", "kernel": platform.release()},
        "baseline": runs["none"]["outcomes"],
        "runs": runs,
    }
