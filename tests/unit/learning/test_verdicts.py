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
