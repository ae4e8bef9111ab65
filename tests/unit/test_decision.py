"""Lesson 08's decision aid: the worked cases, the rules table, the flips, the
Markdown export, and the widget (redraw, hostile values, export, save)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from widgets import data
from widgets.decision import (
    CONTAINERS,
    CVM,
    DEFAULTS,
    MANAGED,
    MICROVM,
    OPTIONS,
    QUESTIONS,
    RULES,
    VM,
    DecisionAid,
    decide,
    summarize,
    to_markdown,
)

ROOT = Path(__file__).resolve().parents[2]
#: Lesson 07 is being written; its calculators are announced in the brief for lesson 08.
PENDING = {"07-performance.ipynb": {"OverheadExplorer", "StartupLab", "PackingCalculator", "DensityCalculator"}}


def case(application: int, load: int, team: int, isolation: int, platform: int, ops: int, horizon: int) -> dict:
    """Answers by index into each question's choices, in the order of QUESTIONS."""
    idx = (application, load, team, isolation, platform, ops, horizon)
    return {k: QUESTIONS[k][1][i] for k, i in zip(QUESTIONS, idx, strict=True)}


def fired(d) -> list[str]:
    return [f.rule.id for f in d.reasons]


ALL_CASES = [case(*idx) for idx in itertools.product(*(range(len(c)) for _, c in QUESTIONS.values()))]

# -- worked cases --------------------------------------------------------------------------------------------


def test_legacy_steady_no_experience_stays_on_vms():
    d = decide(**case(0, 0, 0, 0, 0, 0, 2))
    assert d.verdict == VM and d.score(VM) == 8  # legacy 3 + steady 1 + no experience 2 + manual 2
    assert fired(d)[0] == "legacy-stays-on-vms" and d.reasons[0].to_verdict == 3
    assert ("application", QUESTIONS["application"][1][2], MANAGED) in d.flips


def test_cloud_native_spiky_strong_team_self_manages():
    # Documented choice: strong team + CI/CD tip it to self-managed containers; managed is one point behind.
    d = decide(**case(2, 2, 2, 0, 0, 2, 2))
    assert d.verdict == CONTAINERS and (d.score(CONTAINERS), d.score(MANAGED)) == (9, 8)
    assert ("team_experience", "some", MANAGED) in d.flips
    assert "ahead of managed container platform" in summarize(d)


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


# -- the rules table -----------------------------------------------------------------------------------------


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
        assert all(f"({p})" in r.reason or f"({p}:" in r.reason or f"{p} to" in r.reason or f"{p} each" in r.reason
                   for _, p in r.points), f"{r.id}: every weight is justified in the reason"
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


# -- Markdown ------------------------------------------------------------------------------------------------


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


# -- invalid answers -----------------------------------------------------------------------------------------

HOSTILE = ["", "   ", "abc", "Steady", None, True, 0, -5, 1e30, math.nan, math.inf, -math.inf, ["steady"]]


@pytest.mark.parametrize("name", list(QUESTIONS))
@pytest.mark.parametrize("value", HOSTILE)
def test_invalid_answers_name_the_input(name, value):
    words = QUESTIONS[name][0]
    with pytest.raises(ValueError, match=f"^{words} must be one of"):
        decide(**{**DEFAULTS, name: value})


def test_widget_refuses_unknown_keywords():
    with pytest.raises(ValueError, match="unknown input"):
        DecisionAid(colour="blue")


# -- the widget ----------------------------------------------------------------------------------------------


def test_widget_redraws_figure_and_text_on_change():
    calc = DecisionAid()
    assert calc.error is None and calc.last_exception is None
    assert list(calc.figure.data[0].y)[0] == CVM and "◀ verdict" in calc.figure.data[0].text[0]
    calc.controls["isolation"].value = QUESTIONS["isolation"][1][2]
    assert calc.error is None and calc.result.verdict == VM
    assert list(calc.figure.data[0].y)[0] == VM and list(calc.figure.data[0].x)[0] == calc.result.score(VM)
    assert "(excluded)" in " ".join(calc.figure.data[0].text)
    assert "Verdict: virtual machines" in calc.summary.value and "untrusted-needs-own-kernel" in calc.detail.value
    assert 'href="05-security-isolation.ipynb"' in calc.detail.value


def test_widget_colours_use_theme_keys():
    from widgets.theme import COLORS

    calc = DecisionAid()
    colors = dict(zip(calc.figure.data[0].y, calc.figure.data[0].marker.color, strict=True))
    assert colors[VM] == COLORS["vm"] and colors[CONTAINERS] == COLORS["container"]
    assert colors[CVM] == COLORS["other"] and colors[MICROVM] == COLORS["microvm"]


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_widget_hostile_values_keep_last_good_figure(name):
    calc = DecisionAid()
    control = calc.controls[name]
    good = control.index
    control.options = [*((o, o) for o in control.options), ("bad: abc", "abc"), ("bad: empty", ""),
                       ("bad: inf", math.inf), ("bad: True", True), ("bad: None", None)]
    control.index = good  # changing the options resets the dropdown (NaN is left to the model test:
    # ipywidgets cannot select a NaN option)
    assert calc.error is None and calc.result.answers == tuple(DEFAULTS.items())
    before = (list(calc.figure.data[0].x), list(calc.figure.data[0].y))
    summary, detail = calc.summary.value, calc.detail.value
    for index in range(len(control.options) - 5, len(control.options)):
        control.index = index
        assert calc.error and calc.error.startswith(f"{QUESTIONS[name][0]} must be one of"), calc.error
        assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
        assert (list(calc.figure.data[0].x), list(calc.figure.data[0].y)) == before
        assert calc.summary.value == summary and calc.detail.value == detail
        assert calc.last_exception is None
    control.index = good
    assert calc.error is None and calc.status.value == "" and calc.summary.value == summary


def test_export_fills_textarea_and_follows_changes():
    calc = DecisionAid()
    assert calc.markdown.value == ""
    calc.export_button.click()
    assert calc.markdown.value == to_markdown(calc.result) and f"**Verdict: {CVM}**" in calc.markdown.value
    calc.controls["application"].value = QUESTIONS["application"][1][0]
    assert "**Verdict: virtual machines**" in calc.markdown.value


def test_save_writes_only_where_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calc = DecisionAid()
    assert list(tmp_path.iterdir()) == []  # nothing written unless asked
    target = calc.save(tmp_path / "mine.md")
    assert target.read_text(encoding="utf-8") == to_markdown(calc.result)
    assert calc.save().resolve() == (tmp_path / "decision.md").resolve()
    for bad in ("", "  ", None, True, 3):
        with pytest.raises(ValueError, match="path must be a file name"):
            calc.save(bad)
    with pytest.raises(ValueError, match="could not write"):
        calc.save(tmp_path / "missing-folder" / "x.md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decision.md", "mine.md"]


def test_static_bundle_has_the_figure():
    calc = DecisionAid()
    bundle = calc._repr_mimebundle_()
    plotly = next(v for k, v in bundle.items() if "plotly" in k)
    assert json.dumps(plotly) and plotly["data"][0]["y"][0] == CVM
