"""Lesson 05's rule model: rules are checked, the kernel's order (seccomp, then capabilities) is modelled."""

from __future__ import annotations

import pytest

from widgets.core import data
from widgets.models import secactions, seccomp

BASE = {
    "open-file": "allowed",
    "open-shadow": "EACCES",
    "hostname": "allowed",
    "mount": "allowed",
    "low-port": "allowed",
    "kill-pid1": "EPERM",
}


def test_make_rule_checks_names_and_normalises_capabilities():
    rule = secactions.make_rule("sethostname, bind", "kill", ["sys_admin", "CAP_SYS_ADMIN"])
    assert rule == secactions.Rule(("sethostname", "bind"), "kill", ("CAP_SYS_ADMIN",))
    assert secactions.make_rule(..., "errno", None) == secactions.Rule()
    assert rule.describe() == "deny sethostname, bind (kill the process (SIGSYS)); drop CAP_SYS_ADMIN"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"deny": ["opnat"]}, "did you mean openat"),
        ({"deny": ["write"]}, "cannot be denied in this lab"),
        ({"deny": 7}, "list of names"),
        ({"deny": [None]}, "system-call name"),
        ({"on_deny": "ignore"}, "on_deny"),
        ({"drop": ["CAP_ROOT"]}, "not a Linux capability"),
        ({"drop": [""]}, "capability name"),
        ({"drop": {"a": 1}}, "list of names"),
    ],
)
def test_bad_rules_get_a_clear_message(kwargs, words):
    with pytest.raises(ValueError, match=words):
        secactions.make_rule(**kwargs)


def test_seccomp_acts_before_the_permission_check_and_capabilities_after():
    deny_open = secactions.make_rule(["openat"])
    assert secactions.expected(deny_open, secactions.ACTIONS["open-shadow"], "EACCES")[0] == "EPERM"
    kill = secactions.make_rule(["bind"], "kill", ["CAP_NET_BIND_SERVICE"])
    assert secactions.expected(kill, secactions.ACTIONS["low-port"], "allowed")[0] == secactions.KILLED
    drop = secactions.make_rule(drop=["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN", "CAP_KILL", "CAP_DAC_OVERRIDE"])
    assert secactions.changes(drop, BASE) == {"low-port": "EACCES", "hostname": "EPERM", "mount": "EPERM"}
    assert secactions.changes(secactions.Rule(), BASE) == {}


def test_every_action_uses_calls_the_seccomp_tables_know():
    for arch in seccomp.ARCHES:
        for action in (*secactions.ACTIONS.values(), secactions.PAUSE):
            assert set(action.calls) <= set(seccomp.TABLES[arch]) or action.key == "pause" and arch == "aarch64"


def test_the_model_agrees_with_every_recorded_live_run():
    rec = data.recording("rule_actions_2026-12-03.json")
    assert rec["baseline"] == BASE
    for name, run in rec["runs"].items():
        rule = secactions.Rule(tuple(run["rule"]["deny"]), run["rule"]["on_deny"], tuple(run["rule"]["drop"]))
        got = {k: secactions.expected(rule, secactions.ACTIONS[k], v)[0] for k, v in rec["baseline"].items()}
        assert got == run["outcomes"], name


@pytest.mark.parametrize(("text", "want"), [("eperm", "EPERM"), ("allowed", "allowed"), ("killed", "killed (SIGSYS)")])
def test_outcomes_are_normalised(text, want):
    assert secactions.normalise(text) == want


@pytest.mark.parametrize("bad", ["", 3, None, "maybe", "E-PERM"])
def test_bad_outcomes_are_refused(bad):
    with pytest.raises(ValueError, match="an outcome is"):
        secactions.normalise(bad)


def test_practice_is_deterministic_and_its_answers_are_the_models():
    a, b = secactions.practice_problem(12, BASE), secactions.practice_problem(12, BASE)
    assert a == b and len(a.actions) == 3 and len(set(a.actions)) == 3
    assert {secactions.practice_problem(s, BASE).rule for s in range(30)} != {a.rule}
    for seed in range(50):
        p = secactions.practice_problem(seed, BASE)
        want = tuple(secactions.expected(p.rule, secactions.ACTIONS[k], BASE[k])[0] for k in p.actions)
        assert p.answers == want and not set(p.rule.deny) & set(secactions.RESERVED)


@pytest.mark.parametrize(
    ("seed", "base"), [("x", BASE), (-1, BASE), (1.5, BASE), (1, {"open-file": "allowed"}), (1, [])]
)
def test_practice_refuses_hostile_input(seed, base):
    with pytest.raises(ValueError):
        secactions.practice_problem(seed, base)
