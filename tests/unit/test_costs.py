"""Hosting cost and TCO: hand-computed costs, the break-even ratio and year, every price equal to the CSV
and shown with its date and source, hostile inputs through the models and the widgets."""

from __future__ import annotations

import csv
import math
import re

import pytest

from tests.hostile import HOSTILE, HOSTILE_TEXT
from widgets import data
from widgets.calculator import ILLUSTRATIVE
from widgets.costs import (
    COMPONENTS,
    COST_DEFAULTS,
    PLATFORM_ROWS,
    STALE,
    STRATEGIES,
    TCO_DEFAULTS,
    VM_ROWS,
    CostCalculator,
    TcoCalculator,
    break_even_variability,
    cost_figure,
    default_hosting,
    details_cost,
    details_tco,
    hosting_cost,
    platform_options,
    price,
    price_table_html,
    summarize_cost,
    summarize_tco,
    tco,
    tco_figure,
    variability_figure,
    variability_summary,
    vm_options,
)
from widgets.theme import COLORS

X86_CPU, X86_MEM, ARM_CPU, ARM_MEM = 0.04048, 0.004445, 0.03238, 0.00356  # USD per vCPU-h, GB-h
NO_OVERHEAD = {"node_headroom_pct": 0, "control_plane_usd_month": 0}

COST_NUMERIC = [
    ("avg_vcpu", "average vCPUs"), ("avg_mem_gb", "average memory"), ("peak_to_avg", "peak-to-average ratio"),
    ("vm_vcpu", "VM vCPUs"), ("vm_mem_gb", "VM memory"), ("discount_pct", "discount"),
    ("vm_autoscale_share", "VM autoscaling share"), ("headroom_pct", "headroom"),
    ("node_headroom_pct", "node headroom"), ("control_plane_usd_month", "control plane"),
]
TCO_NUMERIC = [
    ("years", "years"), ("hosting_vm_usd_year", "VM hosting per year"),
    ("hosting_container_usd_year", "container hosting per year"), ("team_size", "team size"),
    ("engineer_usd_year", "cost per engineer-year"), ("ops_share_vm_pct", "VM operations share"),
    ("ops_share_container_pct", "container operations share"), ("training_usd_per_engineer", "training per engineer"),
    ("migration_engineer_months", "migration effort"), ("failure_probability_pct", "failure probability"),
    ("failed_migration_usd", "failed migration cost"),
]


def csv_rows() -> dict[str, dict[str, str]]:
    """data/cloud_prices.csv read with the csv module alone (independent of widgets.data)."""
    with open(data.data_dir() / "cloud_prices.csv", encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


# -- hosting, by hand ------------------------------------------------------------


def test_hosting_by_hand():
    h = hosting_cost(avg_vcpu=4, avg_mem_gb=16, peak_to_avg=3, vm_vcpu=2, vm_mem_gb=8, headroom_pct=20,
                     **NO_OVERHEAD)
    # peak 12 vCPUs / 2 = 6 VMs (48 GB / 8 = 6 too); 6 × 0.096 × 730 = 420.48 USD/month
    assert h.vms == 6 and h.vm_monthly == pytest.approx(420.48)
    assert h.vm_yearly == pytest.approx(420.48 * 12)  # 5,045.76
    # (4.8 × 0.04048 + 19.2 × 0.004445) × 730 = (0.194304 + 0.085344) × 730 = 0.279648 × 730 = 204.14304
    assert (h.container_vcpu, h.container_mem_gb) == pytest.approx((4.8, 19.2))
    assert h.compute_monthly == pytest.approx(204.14304) and h.overhead_monthly == 0
    assert h.container_monthly == pytest.approx(204.14304) and h.container_yearly == pytest.approx(2449.71648)
    assert h.cheaper == "container" and h.saving_monthly == pytest.approx(420.48 - 204.14304)


def test_defaults_add_the_platform_overhead():
    h = hosting_cost()
    assert h == hosting_cost(**COST_DEFAULTS)
    # 10 % node headroom on 204.14304 = 20.414304, + 50 control plane = 70.414304
    assert h.overhead_monthly == pytest.approx(70.414304)
    assert h.container_monthly == pytest.approx(274.557344)
    assert h.saving_monthly == pytest.approx(145.922656)
    assert summarize_cost(h) == (
        "For 4 vCPUs and 16 GB on average with peaks 3× the average, 6 m5.large VMs cost 420.48 USD a month "
        "(5,046 a year) and containers on AWS Fargate Linux/x86 274.56 USD (3,295 a year): containers are cheaper "
        "by 145.92 USD a month (1,751 a year); containers become cheaper above a peak-to-average ratio of 1.5 "
        "(prices: secondary snapshot, re-check before use).")


def test_memory_can_bind_and_vms_are_whole():
    h = hosting_cost(avg_vcpu=1, avg_mem_gb=40, peak_to_avg=1)  # memory 40 / 8 = 5 VMs, CPU 1 / 2 = 0.5
    assert h.vms == 5 and h.vm_monthly == pytest.approx(5 * 0.096 * 730)
    assert hosting_cost(avg_vcpu=3, avg_mem_gb=1, peak_to_avg=1).vms == 2  # 1.5 rounded up
    assert hosting_cost(avg_vcpu=3, avg_mem_gb=1, peak_to_avg=1, whole_vms=False).vms == 1.5
    # float noise: 0.3 × 10 / 0.5 = 6.000000000000001 must not round up to 7
    assert hosting_cost(avg_vcpu=0.3, avg_mem_gb=0.1, peak_to_avg=10, vm_vcpu=0.5).vms == 6


def test_autoscaling_share_and_discount():
    assert hosting_cost(vm_autoscale_share=0.5).vms == 4  # kept: 1 + 0.5 × (3 − 1) = 2 × average -> 8 vCPUs
    assert hosting_cost(vm_autoscale_share=1).vms == 2  # follows the load: the average, 4 vCPUs
    h = hosting_cost(discount_pct=25)
    assert h.vm_monthly == pytest.approx(6 * 0.096 * 730 * 0.75)  # 315.36
    assert hosting_cost(discount_pct=100).vm_monthly == 0 and hosting_cost(discount_pct=100).cheaper == "vm"


def test_arm_platform_and_other_vms():
    h = hosting_cost(platform="fargate_arm", **NO_OVERHEAD)
    assert h.compute_monthly == pytest.approx((4.8 * ARM_CPU + 19.2 * ARM_MEM) * 730)  # 139.337...
    assert hosting_cost(vm_type="aws_ec2_m7g_large").vm_monthly == pytest.approx(6 * 0.0816 * 730)  # 357.408
    assert hosting_cost(vm_type="gcp_e2_standard_2").vm_monthly == pytest.approx(6 * 0.067 * 730)  # 293.46


def test_equal_costs_say_so():
    # 4 one-vCPU VMs: 4 × 70.08 = 280.32 USD; containers 170.1176 USD + a control plane of the difference
    h = hosting_cost(avg_vcpu=4, avg_mem_gb=16, peak_to_avg=1, vm_vcpu=1, headroom_pct=0, node_headroom_pct=0,
                     control_plane_usd_month=280.32 - (4 * X86_CPU + 16 * X86_MEM) * 730)
    assert h.cheaper == "neither" and "they cost the same;" in summarize_cost(h)


# -- break-even variability ---------------------------------------------------------


@pytest.mark.parametrize("inputs", [
    {}, {"vm_autoscale_share": 0.4}, {"discount_pct": 30, "platform": "fargate_arm"},
    {"avg_vcpu": 37, "avg_mem_gb": 90, "vm_vcpu": 4, "vm_mem_gb": 16, "control_plane_usd_month": 400},
    {"vm_type": "azure_d2s_v5", "headroom_pct": 60, "node_headroom_pct": 35},
])
def test_break_even_fractional_costs_are_equal(inputs):
    h = hosting_cost(whole_vms=False, **inputs)
    be = break_even_variability(whole_vms=False, **inputs)
    assert be == h.break_even and 1 < be < math.inf
    at = hosting_cost(whole_vms=False, **{**inputs, "peak_to_avg": be})
    assert at.vm_monthly == pytest.approx(at.container_monthly, rel=1e-9)
    assert h.vm_monthly_at(be * 0.999) < h.container_monthly < h.vm_monthly_at(be * 1.001)


@pytest.mark.parametrize("inputs", [
    {}, {"vm_autoscale_share": 0.4}, {"discount_pct": 30}, {"avg_vcpu": 37, "avg_mem_gb": 90, "vm_vcpu": 4},
])
def test_break_even_whole_vms_is_the_step(inputs):
    h = hosting_cost(**inputs)
    be = h.break_even
    assert h.vm_monthly_at(be) <= h.container_monthly < h.vm_monthly_at(be + 1e-6)
    # cross-check by bisection on the staircase
    lo, hi = 1.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if h.vm_monthly_at(mid) <= h.container_monthly else (lo, mid)
    assert be == pytest.approx(hi, abs=1e-9)


def test_break_even_by_hand_and_its_edges():
    # defaults: containers 274.56/month buy floor(274.56 / 70.08) = 3 VMs; 2 VMs fill the average, so
    # containers are cheaper once the peak needs more than 3 VMs: ratio 3 / 2 = 1.5
    assert hosting_cost().break_even == 1.5
    assert break_even_variability(peak_to_avg=7) == 1.5  # does not depend on the current ratio
    # steady load already cheaper on containers: 1.5-vCPU VMs -> 3 VMs = 210.24 > 170.12 on containers
    cheap = hosting_cost(vm_vcpu=1.5, headroom_pct=0, **NO_OVERHEAD)
    assert cheap.break_even == 1.0 and "at any peak-to-average ratio above 1" in summarize_cost(cheap)
    never = hosting_cost(vm_autoscale_share=1)  # VMs follow the load: 2 VMs, 140.16 < 274.56, at any ratio
    assert never.break_even == math.inf and "not cheaper at any" in summarize_cost(never)
    assert hosting_cost(discount_pct=100).break_even == math.inf


# -- data: every price from the CSV, with its date and source ----------------------


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
    assert p.text() == ("AWS Fargate: Linux/x86 vCPU, on-demand: 0.04048 USD per vCPU-hour (us-east-1; seen "
                        "2026-03-10; Wring Team 2026; secondary; secondary snapshot, re-check before use)")
    assert price("gcp_e2_standard_2").text().endswith("(undated; various; secondary; " + STALE + ")")
    page = price_table_html()
    table = data.load("cloud_prices")
    used = [*VM_ROWS, *(r for pair in PLATFORM_ROWS.values() for r in pair)]
    assert page.count("<tr>") == len(used) + 1 and STALE in page
    for row_id in used:
        row = table.row(id=row_id)
        assert f"<td>{row['price_usd']:g}</td>" in page and row["date_seen"] in page
    assert "ephemeral storage beyond" not in page and "0.000111" not in page  # not used by the model
    for src in ("wring_fargate", "vantage_fargate", "code_price_constants", "factualminds_2026"):
        assert table.sources[src].title in page


# -- figures --------------------------------------------------------------------------


def test_cost_figure_bars():
    h = hosting_cost()
    fig = cost_figure(h)
    assert fig.layout.title.text and "USD per month" in fig.layout.yaxis.title.text
    assert [t.x[0] for t in fig.data] == ["VMs", "containers", "containers"] and fig.layout.barmode == "stack"
    assert [t.y[0] for t in fig.data] == [h.vm_monthly, h.compute_monthly, h.overhead_monthly]
    assert [t.marker.color for t in fig.data] == [COLORS["vm"], COLORS["container"], COLORS["container"]]
    assert fig.data[0].name == "6 × m5.large (undated)"


def test_variability_figure_marks_the_crossing():
    h = hosting_cost()
    fig = variability_figure(h)
    vm, cont, cross = fig.data
    assert (vm.line.color, cont.line.color) == (COLORS["vm"], COLORS["container"])
    assert min(vm.x) == 1 and max(vm.x) == 10 and list(cont.x) == [1, 10]
    assert list(cont.y) == [h.container_monthly] * 2
    assert list(cross.x) == [1.5] and list(cross.y) == [h.container_monthly]
    # the staircase: at 1.5 the fleet steps from 3 to 4 VMs (210.24 -> 280.32)
    steps = [y for x, y in zip(vm.x, vm.y, strict=True) if x == 1.5]
    assert steps == pytest.approx([3 * 70.08, 4 * 70.08])
    assert list(vm.x) == sorted(vm.x) and vm.y[-1] == pytest.approx(h.vm_monthly_at(10))  # 20 VMs
    assert "ratio of 1.5" in variability_summary(h) and STALE in variability_summary(h)
    assert list(variability_figure(hosting_cost(vm_autoscale_share=1)).data[2].x) == []  # no crossing
    with pytest.raises(ValueError, match="largest ratio shown must be at least 1.5"):
        variability_figure(h, 1)


# -- total cost of ownership ---------------------------------------------------------


def test_tco_by_hand():
    t = tco(years=5, hosting_vm_usd_year=5046, hosting_container_usd_year=3295, team_size=4,
            engineer_usd_year=120_000, ops_share_vm_pct=30, ops_share_container_pct=25,
            training_usd_per_engineer=2000, migration_engineer_months=6, failure_probability_pct=20,
            failed_migration_usd=100_000)
    # VMs: 5,046 + 4 × 120,000 × 0.30 = 149,046 a year; containers: 3,295 + 120,000 = 123,295 a year
    # one-offs: 4 × 2,000 + 6 × 10,000 + 0.2 × 100,000 = 8,000 + 60,000 + 20,000 = 88,000
    assert list(t.cumulative("vm")) == [0, 149_046, 298_092, 447_138, 596_184, 745_230]
    assert list(t.cumulative("container")) == [88_000, 211_295, 334_590, 457_885, 581_180, 704_475]
    assert t.totals("container") == {"hosting": 16_475, "engineering": 600_000, "training": 8_000,
                                     "migration": 60_000, "risk": 20_000}
    assert sum(t.totals("vm").values()) == t.cumulative("vm")[-1]
    assert t.break_even_years == pytest.approx(88_000 / 25_751) and t.break_even_year == 4
    assert t == tco()  # the defaults are this case (hosting from the cost calculator, rounded)
    assert default_hosting() == (5046.0, 3295.0)


def test_legacy_defaults_vms_cheaper_over_three_years():
    three = tco(years=3)
    assert three.cumulative("vm")[-1] < three.cumulative("container")[-1]  # 447,138 < 457,885
    assert three.break_even_year is None
    assert summarize_tco(three) == (
        "Over 3 years, staying on VMs costs 447,138 USD and re-architecting to containers 457,885 USD: no "
        "break-even within 3 years (they would catch up after 3.4 years); on VMs hosting is 3% of the "
        "cost and engineering 97%.")
    five = tco()
    assert summarize_tco(five).endswith("the containers break even in year 4 (after 3.4 years); on VMs hosting "
                                        "is 3% of the cost and engineering 97%.")
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
    assert mark.y[0] == pytest.approx(88_000 + t.break_even_years * 123_295)
    assert mark.name == "break-even: year 4" and "(USD)" in fig.layout.yaxis.title.text
    assert list(tco_figure(tco(years=3)).data[2].x) == []
    text = details_tco(t)
    assert all(c in text for c in COMPONENTS) and all(s in text for s in STRATEGIES.values())
    assert ILLUSTRATIVE in text and STALE in text and "600,000" in text


# -- hostile input through the models -------------------------------------------------


@pytest.mark.parametrize(("arg", "name"), COST_NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hosting_refuses_hostile_values(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        hosting_cost(**{arg: value})
    assert str(info.value).startswith(name + " "), str(info.value)


@pytest.mark.parametrize(("arg", "name"), TCO_NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_tco_refuses_hostile_values(arg, name, value, words):
    if value is None and arg.startswith("hosting_"):
        assert tco(**{arg: None}) == tco()  # None means "from the cost calculator"
        return
    with pytest.raises(ValueError, match=words) as info:
        tco(**{arg: value})
    assert str(info.value).startswith(name + " "), str(info.value)


@pytest.mark.parametrize(("call", "values", "message"), [
    (hosting_cost, {"peak_to_avg": 0.5}, "peak-to-average ratio must be at least 1, got 0.5"),
    (hosting_cost, {"discount_pct": 150}, "discount must be at most 100 %, got 150 %"),
    (hosting_cost, {"vm_autoscale_share": 1.5}, "VM autoscaling share must be at most 1, got 1.5"),
    (hosting_cost, {"avg_vcpu": 0}, "average vCPUs must not be zero"),
    (hosting_cost, {"avg_mem_gb": 0}, "average memory must not be zero"),
    (hosting_cost, {"vm_vcpu": 0}, "VM vCPUs must not be zero"),
    (hosting_cost, {"vm_mem_gb": "0"}, "VM memory must not be zero"),
    (hosting_cost, {"control_plane_usd_month": -1}, "control plane must not be negative, got -1 USD/month"),
    (hosting_cost, {"avg_vcpu": 1e5, "vm_vcpu": 1e-3, "peak_to_avg": 1000}, "more than 10,000,000: use bigger VMs"),
    (hosting_cost, {"vm_type": "t2.micro"}, "VM type must be one of aws_ec2_m5_large"),
    (hosting_cost, {"vm_type": None}, "VM type must be one of"),
    (hosting_cost, {"platform": "lambda"}, "platform must be one of fargate_x86, fargate_arm"),
    (tco, {"years": 0}, "years must be at least 1, got 0"),
    (tco, {"years": 2.5}, "years must be a whole number, got 2.5"),
    (tco, {"team_size": 0}, "team size must not be zero"),
    (tco, {"failure_probability_pct": 101}, "failure probability must be at most 100 %"),
    (tco, {"ops_share_vm_pct": 120}, "VM operations share must be at most 100 %"),
])
def test_specific_refusals(call, values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call(**values)


@pytest.mark.parametrize("value", ["yes", 1, 0, None, "True", [True]])
def test_whole_vms_must_be_a_bool(value):
    with pytest.raises(ValueError, match="^whole VMs must be True or False"):
        hosting_cost(whole_vms=value)


def test_zero_where_allowed_and_numeric_text():
    h = hosting_cost(headroom_pct="0", discount_pct=" 0 ", **NO_OVERHEAD)
    assert h.container_monthly == pytest.approx((4 * X86_CPU + 16 * X86_MEM) * 730)
    assert tco(engineer_usd_year=0, hosting_vm_usd_year="1e3").recurring["vm"] == {"hosting": 1000,
                                                                                   "engineering": 0}


# -- through the widgets ----------------------------------------------------------------


def snapshot(calc):
    return [list(t.y) for t in calc.figure.data], calc.summary.value, calc.detail.value


def test_cost_widget_defaults_and_labels():
    calc = CostCalculator()
    assert calc.error is None and calc.last_exception is None and calc.name == "cost"
    assert "cvm-cost" in calc._dom_classes and calc.result == hosting_cost()
    assert set(calc.controls) == set(COST_DEFAULTS)
    legend = calc.children[0].value
    assert ILLUSTRATIVE in legend and STALE in legend and "not in the data" in legend
    assert ILLUSTRATIVE in calc.controls["vm_vcpu"].tooltip and "default 2" in calc.controls["vm_vcpu"].tooltip
    assert "ratio of 1.5" in calc.summary.value and "2026-03-10" in calc.detail.value


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
    assert calc.result == tco() and set(calc.controls) == {*TCO_DEFAULTS, "hosting_vm_usd_year",
                                                          "hosting_container_usd_year"}
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
