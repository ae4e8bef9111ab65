"""Hosting cost and TCO: hand-computed costs, the break-even ratio and year, every price equal to the CSV
and shown with its date and source, hostile inputs through the models and the widgets."""

from __future__ import annotations

import csv
import html
import math

import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.costs import ARM_CPU, ARM_MEM, COST_NUMERIC, TCO_NUMERIC, X86_CPU, X86_MEM
from widgets.core import data
from widgets.core.validate import ILLUSTRATIVE, defaults_of
from widgets.models.costs import break_even_variability, hosting_cost
from widgets.models.prices import PLATFORM_ROWS, STALE, VM_ROWS, platform_options, price, vm_options
from widgets.models.tco import COMPONENTS, STRATEGIES, tco
from widgets.ui.costs import (
    CostCalculator,
    TcoCalculator,
    cost_figure,
    details_cost,
    details_tco,
    price_table_html,
    summarize_cost,
    summarize_tco,
    tco_figure,
    variability_figure,
    variability_summary,
)
from widgets.ui.theme import COLORS


def csv_rows() -> dict[str, dict[str, str]]:
    """data/cloud_prices.csv read with the csv module alone (independent of widgets.core.data)."""
    with open(data.data_dir() / "cloud_prices.csv", encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def snapshot(calc):
    return [list(t.y) for t in calc.figure.data], calc.summary.value, calc.detail.value


def test_defaults_compare_vms_kept_for_the_peak_with_serverless_containers():
    h = hosting_cost()
    assert h == hosting_cost(**defaults_of(hosting_cost))
    assert h.overhead_monthly == 0 and h.container_monthly == pytest.approx(204.14304)  # Fargate on ECS: no fee
    assert summarize_cost(h) == (
        "For 4 vCPUs and 16 GB on average with peaks 3× the average, 6 m5.large VMs kept for the peak cost "
        "420.48 USD a month (5,046 a year) and containers on AWS Fargate Linux/x86 (serverless) 204.14 USD (2,450 "
        "a year): containers are cheaper by 216.34 USD a month (2,596 a year); containers are cheaper at any "
        "peak-to-average ratio above 1 (prices: secondary snapshot, re-check before use)."
    )
    pool = summarize_cost(hosting_cost(platform="node_pool", vm_autoscale_share=0.5))
    assert "VMs following 50% of the swings" in pool and "a node pool of the VMs (EKS), 5 nodes" in pool
    assert "not cheaper at any peak-to-average ratio" in pool


def test_equal_costs_say_so():
    # 4 one-vCPU VMs: 4 × 70.08 = 280.32 USD; containers 170.1176 USD + a control plane of the difference
    h = hosting_cost(
        avg_vcpu=4,
        avg_mem_gb=16,
        peak_to_avg=1,
        vm_vcpu=1,
        headroom_pct=0,
        control_plane_usd_month=280.32 - (4 * X86_CPU + 16 * X86_MEM) * 730,
    )
    assert h.cheaper == "neither" and "they cost the same;" in summarize_cost(h)


def test_break_even_by_hand_and_its_edges():
    # defaults: containers 204.14/month buy floor(204.14 / 70.08) = 2 VMs, which the average already fills:
    # containers are cheaper as soon as the peak is above the average
    assert hosting_cost().break_even == 1.0
    assert break_even_variability(peak_to_avg=7) == 1.0  # does not depend on the current ratio
    # with a 50 USD control plane (Fargate on EKS): 254.14 buys 3 VMs, so the ratio is 3 / 2 = 1.5
    assert hosting_cost(control_plane_usd_month=50).break_even == 1.5
    never = hosting_cost(vm_autoscale_share=1)  # VMs follow the load: 2 VMs, 140.16 < 204.14, at any ratio
    assert never.break_even == math.inf and "not cheaper at any" in summarize_cost(never)
    assert hosting_cost(discount_pct=100).break_even == math.inf
    assert hosting_cost(platform="node_pool").break_even == math.inf


@pytest.mark.parametrize("row_id", VM_ROWS)
def test_vm_prices_equal_the_csv_and_carry_their_date(row_id):
    row = csv_rows()[row_id]
    h = hosting_cost(vm_type=row_id)
    assert h.vm.usd == float(row["price_usd"]) and row["per"] == "instance-hour"
    assert h.vm_monthly == pytest.approx(6 * float(row["price_usd"]) * 730)
    table = data.load("cloud_prices")
    cite = table.cite(table.row(id=row_id))
    assert row["confidence"] == "secondary" and cite.endswith("secondary")
    label = dict((v, k) for k, v in vm_options())[row_id]
    assert row["date_seen"] in label and cite in label and row["price_usd"] in label
    text = details_cost(h)
    assert row["date_seen"] in text and cite in text and STALE in text


@pytest.mark.parametrize("platform", PLATFORM_ROWS)
def test_platform_prices_equal_the_csv_and_carry_their_date(platform):
    rows = csv_rows()
    h = hosting_cost(platform=platform)
    cpu, mem = (rows[r] for r in PLATFORM_ROWS[platform])
    assert (h.cpu_price.usd, h.mem_price.usd) == (float(cpu["price_usd"]), float(mem["price_usd"]))
    assert (cpu["per"], mem["per"]) == ("vCPU-hour", "GB-hour")
    label = dict((v, k) for k, v in platform_options())[platform]
    assert cpu["date_seen"] in label and cpu["price_usd"] in label and mem["price_usd"] in label
    assert cpu["date_seen"] in details_cost(h) and mem["date_seen"] in details_cost(h)
    expected = {"fargate_x86": (X86_CPU, X86_MEM), "fargate_arm": (ARM_CPU, ARM_MEM)}[platform]
    assert (h.cpu_price.usd, h.mem_price.usd) == expected


def test_price_text_and_table():
    p = price("aws_fargate_linux_x86_vcpu")
    assert p.text() == (
        "AWS Fargate: Linux/x86 vCPU, on-demand: 0.04048 USD per vCPU-hour (us-east-1; seen "
        "2026-03-10; Wring Team 2026; secondary; secondary snapshot, re-check before use)"
    )
    assert price("gcp_e2_standard_2").text().endswith("(undated; various; secondary; " + STALE + ")")
    page = price_table_html()
    table = data.load("cloud_prices")
    used = [*VM_ROWS, *(r for pair in PLATFORM_ROWS.values() for r in pair), "aws_ecs_control_plane"]
    used.append("aws_eks_control_plane")
    assert page.count("<tr>") == len(used) + 1 and STALE in page
    for row_id in used:
        row = table.row(id=row_id)
        assert f"<td>{row['price_usd']:g}</td>" in page and row["date_seen"] in page
    assert "ephemeral storage beyond" not in page and "0.000111" not in page  # not used by the model
    for src in ("wring_fargate", "vantage_fargate", "code_price_constants", "factualminds_2026", "eks_price_mentions"):
        assert html.escape(table.sources[src].title) in page


def test_cost_figure_bars():
    h = hosting_cost()
    fig = cost_figure(h)
    assert fig.layout.title.text and "USD per month" in fig.layout.yaxis.title.text
    assert [t.x[0] for t in fig.data] == ["VMs", "containers", "containers"] and fig.layout.barmode == "stack"
    assert [t.y[0] for t in fig.data] == [h.vm_monthly, h.compute_monthly, h.overhead_monthly]
    assert [t.marker.color for t in fig.data] == [COLORS["vm"], COLORS["container"], COLORS["container"]]
    assert fig.data[0].name == "6 × m5.large (kept for the peak; undated)"


def test_variability_figure_marks_the_crossing():
    h = hosting_cost()
    fig = variability_figure(h)
    vm, cont, cross = fig.data
    assert (vm.line.color, cont.line.color) == (COLORS["vm"], COLORS["container"])
    assert min(vm.x) == 1 and max(vm.x) == 10 and list(cont.x) == [1, 10]
    assert list(cont.y) == [h.container_monthly] * 2
    assert list(cross.x) == [1.0] and list(cross.y) == [h.container_monthly]
    # the staircase: at 1.5 the fleet steps from 3 to 4 VMs (210.24 -> 280.32)
    steps = [y for x, y in zip(vm.x, vm.y, strict=True) if x == 1.5]
    assert steps == pytest.approx([3 * 70.08, 4 * 70.08])
    assert list(vm.x) == sorted(vm.x) and vm.y[-1] == pytest.approx(h.vm_monthly_at(10))  # 20 VMs
    assert "above 1" in variability_summary(h) and STALE in variability_summary(h)
    pool = variability_figure(hosting_cost(platform="node_pool"))
    assert all(
        c >= v
        for c, v in zip(
            pool.data[1].y, [hosting_cost(platform="node_pool").vm_monthly_at(x) for x in pool.data[1].x], strict=True
        )
    )
    assert list(variability_figure(hosting_cost(vm_autoscale_share=1)).data[2].x) == []  # no crossing
    with pytest.raises(ValueError, match="largest ratio shown must be at least 1.5"):
        variability_figure(h, 1)


def test_legacy_defaults_vms_cheaper_over_three_years():
    three = tco(years=3)
    assert three.cumulative("vm")[-1] < three.cumulative("container")[-1]  # 447,138 < 455,350
    assert three.break_even_year is None
    assert summarize_tco(three) == (
        "Over 3 years, staying on VMs costs 447,138 USD and re-architecting to containers 455,350 USD: no "
        "break-even within 3 years (they would catch up after 3.3 years); on VMs hosting is 3% of the "
        "cost and engineering 97%."
    )
    five = tco()
    assert summarize_tco(five).endswith(
        "the containers break even in year 4 (after 3.3 years); on VMs hosting is 3% of the cost and engineering 97%."
    )
    totals = five.totals("vm")
    assert totals["engineering"] > 20 * totals["hosting"]  # development and support outweigh hosting


def test_tco_never_and_from_the_start():
    never = tco(ops_share_container_pct=30, hosting_container_usd_year=6000)
    assert never.break_even_years == math.inf and never.break_even_year is None
    assert "no break-even within 5 years (the containers never catch up)" in summarize_tco(never)
    free = tco(training_usd_per_engineer=0, migration_engineer_months=0, failure_probability_pct=0)
    assert free.break_even_years == 0 and free.break_even_year == 1
    one = tco(years=1, team_size=1)
    assert summarize_tco(one).startswith("Over 1 year,")


def test_tco_figure_and_details():
    t = tco()
    fig = tco_figure(t)
    vm, cont, mark = fig.data
    assert (vm.line.color, cont.line.color) == (COLORS["vm"], COLORS["container"])
    assert list(vm.x) == [0, 1, 2, 3, 4, 5] and list(vm.y) == list(t.cumulative("vm"))
    assert list(mark.x) == [pytest.approx(t.break_even_years)]
    assert mark.y[0] == pytest.approx(88_000 + t.break_even_years * 122_450)
    assert mark.name == "break-even: year 4" and "(USD)" in fig.layout.yaxis.title.text
    assert list(tco_figure(tco(years=3)).data[2].x) == []
    text = details_tco(t)
    assert all(c in text for c in COMPONENTS) and all(s in text for s in STRATEGIES.values())
    assert ILLUSTRATIVE in text and STALE in text and "600,000" in text


def test_cost_widget_defaults_and_labels():
    calc = CostCalculator()
    assert calc.error is None and calc.last_exception is None and calc.name == "cost"
    assert "cvm-cost" in calc._dom_classes and calc.result == hosting_cost()
    assert set(calc.controls) == set(defaults_of(hosting_cost))
    legend = calc.children[0].value
    assert ILLUSTRATIVE in legend and STALE in legend and "not in the data" in legend
    assert ILLUSTRATIVE in calc.controls["vm_vcpu"].tooltip and "default 2" in calc.controls["vm_vcpu"].tooltip
    assert "above 1" in calc.summary.value and "2026-03-10" in calc.detail.value
    assert calc.controls["control_plane_usd_month"].value == ""  # empty: the platform's own (ECS: none)
    calc.controls["platform"].value = "node_pool"
    assert calc.result.control_plane_usd_month == pytest.approx(73) and "Spot" in calc.detail.value


def test_cost_widget_choices_redraw():
    calc = CostCalculator(avg_vcpu=8)
    assert calc.result.vms == 12
    calc.controls["vm_type"].value = "aws_ec2_m7g_large"
    assert list(calc.figure.data[0].y) == [pytest.approx(12 * 0.0816 * 730)] and "m7g.large" in calc.summary.value
    calc.controls["platform"].value = "fargate_arm"
    assert calc.result.cpu_price.usd == ARM_CPU and "2021-04-22" in calc.detail.value
    calc.controls["whole_vms"].value = False
    calc.controls["avg_vcpu"].value = "5"
    assert calc.result.vms == 7.5 and calc.error is None


@pytest.mark.parametrize(("arg", "name"), COST_NUMERIC)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_cost_widget_hostile_text_keeps_last_good_figure(arg, name, text):
    if arg == "control_plane_usd_month" and not text.strip():
        return  # empty: the platform's own control plane, a valid answer (an optional box)
    calc = CostCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


@pytest.mark.parametrize(("arg", "name"), TCO_NUMERIC)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_tco_widget_hostile_text_keeps_last_good_figure(arg, name, text):
    calc = TcoCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and snapshot(calc) == before


def test_tco_widget_defaults_and_years():
    calc = TcoCalculator()
    assert calc.name == "tco" and "cvm-tco" in calc._dom_classes and calc.last_exception is None
    assert calc.result == tco() and set(calc.controls) == set(defaults_of(tco))
    assert calc.controls["hosting_vm_usd_year"].value == "5046"
    assert "break even in year 4" in calc.summary.value and ILLUSTRATIVE in calc.children[0].value
    calc.controls["years"].value = "3"
    assert "no break-even within 3 years" in calc.summary.value and list(calc.figure.data[2].x) == []
    calc.controls["years"].value = "10"
    assert len(calc.figure.data[0].x) == 11 and calc.figure.data[2].name == "break-even: year 4"


def test_widgets_refuse_unknown_keywords_and_bad_start_values():
    with pytest.raises(ValueError, match="unknown input"):
        CostCalculator(vcpus=4)
    with pytest.raises(ValueError, match="unknown input"):
        TcoCalculator(salary=1)
    with pytest.raises(ValueError, match="discount must be at most 100"):
        CostCalculator(discount_pct=120)
    assert TcoCalculator(years=3).result.years == 3
