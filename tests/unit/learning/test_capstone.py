"""The capstone's scenarios, memo numbers and checks (widgets/capstone.py)."""

from __future__ import annotations

import math

import pytest

from widgets.learning import capstone
from widgets.models import rules
from widgets.ui import costs, density, drift, kernelcheck


def numbers_from_calculators(key: str) -> dict[str, float]:
    """What lesson 09's solution reads from the calculators it builds for scenario ``key``."""
    s = capstone.scenario(key)
    cost = costs.CostCalculator(**s.cost)
    fit = density.DensityCalculator(**s.hosts, platforms=s.platforms)
    fleet = drift.DriftCalculator(**s.fleet)
    kernel = kernelcheck.KernelCalculator(s.kernel)
    for calc in (cost, fit, fleet, kernel):
        assert calc.error is None and calc.last_exception is None
    return {
        "vm_monthly_usd": cost.result.vm_monthly,
        "container_monthly_usd": cost.result.container_monthly,
        "vm_per_host": fit.result.fit(s.platforms[0]).count,
        "container_per_host": fit.result.fit(s.platforms[1]).count,
        "vm_drifted_pct": 100 * fleet.result.final_vm,
        "missing_protections": len(kernel.result.missing),
    }


@pytest.mark.parametrize("key", list(capstone.SCENARIOS))
def test_the_calculators_and_the_self_check_agree(key):
    check = capstone.check_memo(key, numbers_from_calculators(key))
    assert check.correct == len(capstone.NUMBERS), str(check)


def test_memo_numbers_by_hand_for_harbour():
    n = capstone.memo_numbers("harbour")
    # 6 vCPUs / 24 GB, peaks 1.3x, on 2 vCPU / 8 GB VMs: ceil(3 x 1.3) = 4 VMs at 0.096 USD an hour, 730 h
    assert n["vm_monthly_usd"] == pytest.approx(4 * 0.096 * 730, abs=0.01)
    # 128 GiB host, QEMU: 2048 MiB app + 512 MiB guest OS + QEMU's 131 MB (124.9 MiB) per VM
    assert n["vm_per_host"] == math.floor(128 * 1024 / (2048 + 512 + 131e6 / 2**20))
    # Linux 3.10 by its version: the pids controller, cgroups v2, the cgroup and time namespaces (lesson 05);
    # the seccomp() call is no protection of its own and cgroups v2 counts once
    assert n["missing_protections"] == 4


def test_scenarios_differ_the_way_the_lessons_teach():
    verdicts = {k: capstone.reference_verdict(k).verdict for k in capstone.SCENARIOS}
    assert verdicts == {"harbour": rules.VM, "parcelpulse": rules.CONTAINERS, "coderunner": rules.MICROVM}
    n = {k: capstone.memo_numbers(k) for k in capstone.SCENARIOS}
    assert n["harbour"]["vm_monthly_usd"] < n["harbour"]["container_monthly_usd"]  # steady load: VMs cheaper
    assert n["parcelpulse"]["container_monthly_usd"] < n["parcelpulse"]["vm_monthly_usd"]  # spiky: containers
    for s in capstone.SCENARIOS.values():  # the story a learner reads states the inputs the calculators get
        assert f"peaks {s.cost['peak_to_avg']:g}× the average" in s.story, s.key
        assert f"kernel {'.'.join(s.kernel.split('.')[:2])}" in s.story, s.key
        assert f"{s.hosts['host_cores']:g} cores" in s.story, s.key


@pytest.mark.parametrize("given", [None, ..., "abc", 42, [1, 2], {"vm_monthly_usd": "abc"}, {}])
def test_malformed_memo_numbers_never_raise(given):
    check = capstone.check_memo("harbour", given)
    assert check.correct == 0 and len(check.items) == len(capstone.NUMBERS)
    assert "numbers right" in check._repr_html_() and "0 of 6" in str(check)


def test_tolerances_amounts_two_percent_counts_exact():
    good = capstone.memo_numbers("parcelpulse")
    assert capstone.check_memo("parcelpulse", {**good, "vm_monthly_usd": good["vm_monthly_usd"] * 1.015}).correct == 6
    assert capstone.check_memo("parcelpulse", {**good, "vm_monthly_usd": good["vm_monthly_usd"] * 1.05}).correct == 5
    assert capstone.check_memo("parcelpulse", {**good, "vm_per_host": good["vm_per_host"] + 1}).correct == 5


def test_memo_text_checklist():
    assert capstone.check_memo_text("harbour", ...).status == "missing"
    assert capstone.check_memo_text("harbour", "   ").status == "missing"
    template = capstone.check_memo_text("harbour", capstone.memo_template("harbour"))
    assert template.status == "incorrect" and "0 of the memo numbers" in template.message
    n = capstone.memo_numbers("harbour")
    body = (
        f"## Recommendation\nVirtual machines.\n## Evidence\n{n['vm_monthly_usd']} vs "
        f"{n['container_monthly_usd']:,.2f} USD; {n['vm_per_host']} per host\n## Risks\n-\n"
    )
    partial = capstone.check_memo_text("harbour", body)
    assert partial.status == "incorrect" and "What would change it" in partial.message
    full = capstone.check_memo_text("harbour", body + "## What would change it\n- a rewrite\n")
    assert full.correct and "3 checked numbers" in full.message and rules.VM in full.message
    no_option = capstone.check_memo_text(
        "harbour", full_text := body.replace("Virtual machines.", "Something.") + "## What would change it\n"
    )
    assert not no_option.correct and "names none of the options" in no_option.message, full_text


@pytest.mark.parametrize("bad", ["", "abc", None, 3, "Harbour"])
def test_unknown_scenario_is_refused(bad):
    with pytest.raises(ValueError, match="scenario"):
        capstone.memo_numbers(bad)


def test_overview_figure():
    fig, summary = capstone.overview_figure()
    assert [t.name for t in fig.data] == ["VMs", "serverless containers"]
    assert len(fig.data[0].y) == len(capstone.SCENARIOS)
    assert "fictional" in summary and "secondary" in summary and "Harbour Mutual: VMs cheaper" in summary
