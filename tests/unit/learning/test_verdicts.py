"""Lesson 09's predictions: verdicts, binding reasons, cost orders and flips stay true to the models."""

from __future__ import annotations

import pytest

from widgets.learning import capstone, verdicts
from widgets.learning.predict import check_prediction
from widgets.models import costs, decision
from widgets.models.rules import MANAGED, MICROVM, VM


def test_the_binding_reasons_are_the_models():
    harbour, parcel, coder = (verdicts.binding(k) for k in ("harbour", "parcelpulse", "coderunner"))
    assert harbour.decision.verdict == VM and harbour.questions == ("application",) and not harbour.constraint
    assert parcel.questions == ("team_experience", "operational_maturity") and parcel.runner_up == MANAGED
    assert coder.decision.verdict == MICROVM and coder.constraint and coder.questions == ("isolation",)
    # what lesson 09's quiz says: the managed platform scores most for CodeRunner, yet is excluded
    assert max(coder.decision.ranking, key=lambda r: r[1])[0] == MANAGED and coder.decision.excluded(MANAGED)
    assert "shared nodes share a kernel" in coder.explanation


def test_the_cost_order_is_the_cost_models():
    for key in capstone.SCENARIOS:
        order = verdicts.cost_order(key)
        s = capstone.scenario(key)
        pool = costs.hosting_cost(**s.cost, platform="node_pool")
        serverless = costs.hosting_cost(**s.cost, platform="fargate_x86")
        assert order.costs == {
            "VMs": serverless.vm_monthly,
            "node pool": pool.container_monthly,
            "serverless": serverless.container_monthly,
        }
        assert order.text in verdicts.ORDERINGS and order.text.endswith("node pool")
        assert check_prediction("t", order.text, order.text, options=verdicts.ORDERINGS).correct
    assert verdicts.cost_order("harbour").text == "VMs < serverless < node pool"
    assert verdicts.cost_order("parcelpulse").text == "serverless < VMs < node pool"


def test_cost_mistakes_name_what_a_wrong_order_misses():
    order = verdicts.cost_order("parcelpulse")
    out = check_prediction(
        "t", "node pool < VMs < serverless", order.text, options=verdicts.ORDERINGS, mistakes=order.mistakes
    )
    assert not out.correct and "containers are always cheaper than VMs" in out.message
    out = check_prediction(
        "t", "VMs < serverless < node pool", order.text, options=verdicts.ORDERINGS, mistakes=order.mistakes
    )
    assert "sit idle" in out.message
    harbour = verdicts.cost_order("harbour")
    out = check_prediction(
        "t", "serverless < VMs < node pool", harbour.text, options=verdicts.ORDERINGS, mistakes=harbour.mistakes
    )
    assert "paying per use is always cheaper" in out.message


def test_verdict_and_reason_mistakes():
    coder = verdicts.verdict_mistakes("coderunner")
    assert next(m for m in coder if m.value == MANAGED).like == "the option with the most points always wins"
    assert all(m.value != MICROVM for m in coder)
    assert all(m.value != "isolation" for m in verdicts.reason_mistakes("coderunner"))


def test_flips_are_the_decisions():
    assert verdicts.check_flip("harbour", None).correct  # no single change flips Harbour's verdict
    parcel = decision.decide(**capstone.scenario("parcelpulse").answers)
    assert len(parcel.flips) == 10 and ("team_experience", "some", MANAGED) in parcel.flips  # the quiz's claims
    assert verdicts.check_flip("parcelpulse", ("team_experience", "some")).correct
    assert not verdicts.check_flip("parcelpulse", None).correct
    assert "stays" in verdicts.check_flip("parcelpulse", ("horizon", "1–2 years")).message


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (..., "missing", "empty"),
        ("", "missing", "empty"),
        ("team_experience", "incorrect", "(question, new answer)"),
        (("team", "strong"), "incorrect", "is not a question"),
        (("team_experience", "expert"), "incorrect", "is not an answer"),
        (("team_experience", "strong"), "incorrect", "already the story's answer"),
        ((1, 2), "incorrect", "(question, new answer)"),
    ],
)
def test_bad_flip_answers_get_feedback(answer, status, words):
    out = verdicts.check_flip("parcelpulse", answer)
    assert out.status == status and words in out.message


def _why(key, words):
    return next(m.why for m in verdicts.reason_mistakes(key) if m.value == words)


def test_reason_feedback_quotes_each_questions_margin_over_the_runner_up():
    # Harbour: the team rule gives VMs 1 point over the managed platform; "do not separate" was false there
    for key in capstone.SCENARIOS:
        b, m = verdicts.binding(key), verdicts.margins(key)
        d = b.decision
        lead = d.score(d.verdict) - d.score(b.runner_up)
        assert sum(m.values()) == lead  # the margins add up to the verdict's lead over the runner-up
        if not b.constraint:
            assert max(m, key=m.get) in b.questions
    team = _why("harbour", "team experience with containers")
    assert "only 1 point(s) over managed container platform" in team and "application gives 3" in team
    assert "do not separate" in _why("harbour", "horizon")  # no horizon rule separates the two
    load = _why("parcelpulse", "load variability")
    assert "favour managed container platform (e.g. ECS, GKE) by 1" in load and "outweigh" in load
    assert "do not separate" not in load
    team = _why("coderunner", "team experience with containers")
    assert "favour managed container platform (e.g. ECS, GKE) by 2" in team and "excludes" in team
    for key in capstone.SCENARIOS:  # "do not separate" only where the margin really is 0
        m = verdicts.margins(key)
        for mistake in verdicts.reason_mistakes(key):
            q = next(k for k, w in verdicts.REASONS.items() if w == mistake.value)
            assert ("do not separate" in mistake.why) == (m[q] == 0)


def test_a_question_key_counts_as_its_words():
    assert verdicts.reason_words("team_experience") == "team experience with containers"
    assert verdicts.reason_words(" application ") == "application"
    assert verdicts.reason_words("application") == "application"
    for odd in (..., None, 3, ["horizon"], "nonsense"):
        assert verdicts.reason_words(odd) == odd or verdicts.reason_words(odd) is odd


def test_harbour_says_no_single_rule_decides():
    assert "no single change flips this verdict" in verdicts.binding("harbour").explanation
    assert "no single change" not in verdicts.binding("parcelpulse").explanation


def test_the_steady_versus_spiky_sentence_is_the_cost_models():
    s = capstone.scenario("harbour")
    h = costs.hosting_cost(**s.cost)
    text = verdicts.steady_versus_spiky()
    assert f"narrowly cheaper ({abs(h.vm_monthly - h.container_monthly):,.0f} USD a month" in text
    assert f"above a {costs.break_even_variability(**s.cost):.2f} peak-to-average ratio" in text
    assert "1.33" in text and "26 USD" in text
    assert "serverless containers are cheaper" in verdicts.steady_versus_spiky("parcelpulse")


def test_the_memo_kernel_line_keeps_the_backport_caveat():
    line = capstone.kernel_evidence("harbour")
    assert line.startswith("by its upstream version (3.10), a container would lack 4 features (pids controller")
    assert "backport some, so check the running kernel" in line
    assert "lacks none" in capstone.kernel_evidence("parcelpulse")
    assert "say what it covers" in capstone.memo_template("parcelpulse")
    assert "not the estate" in capstone.scenario("harbour").story
