"""Lesson 08's decision aid: the worked cases, the rules table, the flips, the
Markdown export, and the widget (redraw, hostile values, export, save)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from tests.unit.support.decision import DEFAULTS, case
from widgets.core import data
from widgets.models.decision import decide, to_markdown
from widgets.models.rules import CONTAINERS, CVM, MANAGED, MICROVM, OPTIONS, QUESTIONS, RULES, VM

ROOT = Path(__file__).resolve().parents[3]


#: Lesson 07 is being written; its calculators are announced in the brief for lesson 08.
PENDING = {"07-performance.ipynb": {"OverheadExplorer", "StartupLab", "PackingCalculator", "DensityCalculator"}}


def fired(d) -> list[str]:
    return [f.rule.id for f in d.reasons]


ALL_CASES = [case(*idx) for idx in itertools.product(*(range(len(c)) for _, c in QUESTIONS.values()))]


HOSTILE = ["", "   ", "abc", "Steady", None, True, 0, -5, 1e30, math.nan, math.inf, -math.inf, ["steady"]]


def test_legacy_steady_no_experience_stays_on_vms():
    d = decide(**case(0, 0, 0, 0, 0, 0, 2))
    assert d.verdict == VM and d.score(VM) == 8  # legacy 3 + steady 1 + no experience 2 + manual 2
    assert fired(d)[0] == "legacy-stays-on-vms" and d.reasons[0].to_verdict == 3
    assert ("application", QUESTIONS["application"][1][2], MANAGED) in d.flips


def test_untrusted_customer_code_goes_to_micro_vms():
    for answers in (case(2, 2, 2, 2, 0, 2, 2), case(2, 1, 1, 2, 0, 1, 1)):
        d = decide(**answers)
        assert d.verdict == MICROVM
        assert fired(d)[0] == "untrusted-needs-own-kernel"
        assert {CONTAINERS, MANAGED, CVM} == {o for o, _, x in d.ranking if x}
    # With shared-kernel containers excluded they rank last even with more points.
    d = decide(**case(2, 2, 2, 2, 0, 2, 2))
    assert d.score(CONTAINERS) > d.score(MICROVM) and d.ranking[-1][0] != MICROVM


@pytest.mark.parametrize("platform", [1, 2])
def test_kernel_or_other_os_needs_vms(platform):
    base = decide(**case(2, 1, 0, 0, 0, 0, 0))  # a cloud-native app, inexperienced team: managed platform
    d = decide(**case(2, 1, 0, 0, platform, 0, 0))
    assert base.verdict == MANAGED and d.verdict == VM
    assert fired(d)[0] in ("own-kernel-needs-a-guest", "other-os-needs-a-vm")
    assert CONTAINERS in {o for o, _, x in d.ranking if x} and MANAGED in {o for o, _, x in d.ranking if x}
    assert ("platform_needs", "none", MANAGED) in d.flips


def test_other_os_also_excludes_linux_only_sandboxes():
    d = decide(**case(1, 0, 1, 0, 2, 1, 1))
    assert d.excluded(MICROVM) == ("other-os-needs-a-vm",) and d.verdict == VM
    assert d.score(VM) == d.score(CVM)  # a tie, broken towards the less disruptive option


def test_hardware_access_explains_both_routes():
    gpu_service = decide(**case(2, 1, 2, 0, 3, 2, 2))  # cloud-native inference, strong team
    gpu_legacy = decide(**case(0, 0, 1, 0, 3, 1, 2))  # a legacy GPU application
    assert gpu_service.verdict == CONTAINERS and gpu_legacy.verdict == VM
    for d in (gpu_service, gpu_legacy):
        hw = next(f for f in d.reasons if f.rule.id == "devices-both-ways")
        assert hw.to_verdict == 2
        assert "--device" in hw.rule.reason and "PCI passthrough" in hw.rule.reason
        assert any("5 devices" in e and "virtio-net" in e for e in hw.evidence)


def test_mixed_estate_strong_team_containers_on_vms():
    d = decide(**case(1, 1, 2, 1, 0, 2, 2))
    assert d.verdict == CVM and d.score(CVM) == 7 and d.score(CONTAINERS) == 6
    assert {"mixed-estate-both", "teams-behind-a-hypervisor"} <= set(fired(d)[:2])


def test_every_rule_fires_in_some_case_and_legacy_rules_do_not():
    seen = {rid for answers in ALL_CASES for rid in fired(decide(**answers))}
    assert seen == {r.id for r in RULES}
    legacy = decide(**case(0, 2, 2, 0, 0, 2, 2))
    assert not {"spikes-need-seconds", "strong-team-self-manage", "pipelines-rebuild"} & set(fired(legacy))


def test_rules_are_documented_and_linked():
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.reason.strip() and r.changes.strip() and r.calculator.strip() and r.condition()
        assert r.points or r.excludes, r.id
        assert all(o in OPTIONS and 1 <= p <= 3 for o, p in r.points), r.id
        assert all(
            f"({p})" in r.reason or f"({p}:" in r.reason or f"{p} to" in r.reason or f"{p} each" in r.reason
            for _, p in r.points
        ), f"{r.id}: every weight is justified in the reason"
        for name, allowed in r.when:
            assert set(allowed) <= set(QUESTIONS[name][1]), r.id
        lesson = ROOT / "lessons" / r.lesson
        assert "/" not in r.lesson and r.lesson.endswith(".ipynb")
        if lesson.exists():
            assert r.calculator in lesson.read_text(encoding="utf-8"), (r.id, r.calculator)
        else:
            assert r.calculator in PENDING.get(r.lesson, ()), f"{r.id}: {r.lesson} does not exist"
        for dataset, row_id in r.evidence:
            table = data.load(dataset)
            assert table.cite(table.row(id=row_id))


def test_scores_are_sums_of_fired_points_and_ties_go_to_the_less_disruptive():
    for answers in ALL_CASES[::37]:
        d = decide(**answers)
        for option, score, excluded in d.ranking:
            assert score == sum(dict(f.rule.points).get(option, 0) for f in d.reasons)
            assert set(excluded) == {f.rule.id for f in d.reasons if option in f.rule.excludes}
        open_ = [(o, s) for o, s, x in d.ranking if not x]
        assert d.verdict == open_[0][0] and all(s <= open_[0][1] for _, s in open_)
        tied = [o for o, s in open_ if s == open_[0][1]]
        assert d.verdict == min(tied, key=OPTIONS.index)


def test_reasons_strongest_first():
    d = decide(**case(2, 2, 2, 2, 0, 2, 2))
    keys = [(not f.rule.excludes, -f.to_verdict) for f in d.reasons]
    assert keys == sorted(keys)


def test_what_would_change_it_lists_only_real_flips():
    for answers in ALL_CASES[::53]:
        d = decide(**answers)
        flips = {(n, v) for n, v, _ in d.flips}
        for name, (_, choices) in QUESTIONS.items():
            for other in choices:
                if other == answers[name]:
                    continue
                new = decide(**{**answers, name: other}).verdict
                assert ((name, other) in flips) == (new != d.verdict), (answers, name, other)
                if new != d.verdict:
                    assert (name, other, new) in d.flips


def test_markdown_has_verdict_reasons_links_and_is_deterministic():
    d = decide(**case(2, 2, 2, 2, 0, 2, 2))
    md = to_markdown(d)
    assert f"**Verdict: {MICROVM}**" in md and md == to_markdown(decide(**case(2, 2, 2, 2, 0, 2, 2)))
    for f in d.reasons:
        assert f.rule.reason in md and f"]({f.rule.lesson})" in md and f.rule.calculator in md
    for name, value in d.answers:
        assert f"| {QUESTIONS[name][0]} | {value} |" in md
    for name, value, new in d.flips:
        assert f"{QUESTIONS[name][0]} → *{value}*: {new}" in md
    assert "2026" not in md and "Data: " in md


@pytest.mark.parametrize("name", list(QUESTIONS))
@pytest.mark.parametrize("value", HOSTILE)
def test_invalid_answers_name_the_input(name, value):
    words = QUESTIONS[name][0]
    with pytest.raises(ValueError, match=f"^{words} must be one of"):
        decide(**{**DEFAULTS, name: value})


def test_exclusions_say_exactly_what_they_rule_out():
    d = decide(**case(2, 2, 2, 2, 0, 2, 2))  # customers' code
    assert "node pool per tenant" in d.excluded_because(CVM) and "VM option" in d.excluded_because(CVM)
    assert "Fargate" in d.excluded_because(MANAGED) and "micro-VM option" in d.excluded_because(MANAGED)
    assert "share those hosts' kernel" in d.excluded_because(CONTAINERS)
    assert d.excluded_because(MICROVM) == d.excluded_because(VM) == ""
