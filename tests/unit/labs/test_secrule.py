"""Lesson 05's rule lab: a learner's rule runs in the user-namespace child, safely, or falls back."""

from __future__ import annotations

import glob
import tempfile

import pytest

from tests.unit.support.privlab import NO_USERNS, USERNS
from widgets.labs import secrule
from widgets.models import secactions

live_only = pytest.mark.skipif(not USERNS, reason=NO_USERNS)


def _leftovers() -> list[str]:
    return glob.glob(f"{tempfile.gettempdir()}/cvm-rulelab-*")


def test_off_gives_the_recording_and_the_model_labelled_so():
    run = secrule.run_rule(["openat"], live="off")
    assert not run.live and "live='off'" in run.why and "not measured here" in run.source
    assert run.outcomes["open-shadow"] == "EPERM" and run.outcomes["hostname"] == "allowed"
    base = secrule.baseline(live="off")
    assert base.outcomes == secrule.recorded()["baseline"] and "recorded on 2026-12-03" in base.source


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"deny": ["no_such_call"]}, "not a system call"),
        ({"deny": 3}, "list of names"),
        ({"drop": ["CAP_NOPE"]}, "not a Linux capability"),
        ({"actions": ("rm -rf /",)}, "action"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"live": "maybe"}, "live"),
    ],
)
def test_bad_input_is_refused_before_anything_runs(kwargs, words):
    with pytest.raises(ValueError, match=words):
        secrule.run_rule(**kwargs)


@pytest.mark.live
@live_only
def test_a_good_rule_runs_live_and_matches_the_model():
    base = secrule.run_rule(live="on")
    run = secrule.run_rule(["openat"], "errno", ["CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"], live="on")
    assert base.live and run.live and run.source == "measured here" and not run.left
    assert base.outcomes["hostname"] == base.outcomes["mount"] == base.outcomes["low-port"] == "allowed"
    assert run.outcomes["open-file"] == "EPERM" and run.outcomes["hostname"] == "EPERM"
    assert run.outcomes["low-port"] == "EACCES"
    model = {k: secactions.expected(run.rule, secactions.ACTIONS[k], v)[0] for k, v in base.outcomes.items()}
    assert run.outcomes == model
    assert _leftovers() == []


@pytest.mark.live
@live_only
def test_a_call_that_kills_is_reported_and_the_others_still_run():
    run = secrule.run_rule(["sethostname", "mount"], "kill", live="on")
    assert run.outcomes["hostname"] == run.outcomes["mount"] == secactions.KILLED
    assert run.outcomes["open-file"] == "allowed" and not run.left


@pytest.mark.live
@live_only
def test_an_action_that_never_returns_times_out_and_is_killed():
    run = secrule.run_rule(live="on", actions=("pause", "open-file"), action_timeout_s=0.3)
    assert run.outcomes["pause"].startswith("timed out") and run.outcomes["open-file"] == "allowed"
    assert not run.left and run.elapsed_ms < 5000


@pytest.mark.live
@live_only
def test_a_child_that_overruns_the_whole_time_out_falls_back_with_the_reason():
    run = secrule.run_rule(live="on", actions=("pause",) * 3, action_timeout_s=2, timeout_s=0.5)
    assert not run.live and "timeout" in run.errors[0] and "not measured here" in run.source
    assert _leftovers() == []
