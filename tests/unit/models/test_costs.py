"""Hosting cost and TCO: hand-computed costs, the break-even ratio and year, every price equal to the CSV
and shown with its date and source, hostile inputs through the models and the widgets."""

from __future__ import annotations

import math
import re

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.costs import (
    ARM_CPU,
    ARM_MEM,
    COST_NUMERIC,
    EKS_MONTH,
    NO_OVERHEAD,
    TCO_NUMERIC,
    X86_CPU,
    X86_MEM,
)
from widgets.models.costs import break_even_variability, hosting_cost
from widgets.models.tco import default_hosting, tco


def test_hosting_by_hand():
    h = hosting_cost(avg_vcpu=4, avg_mem_gb=16, peak_to_avg=3, vm_vcpu=2, vm_mem_gb=8, headroom_pct=20)
    # peak 12 vCPUs / 2 = 6 VMs (48 GB / 8 = 6 too); 6 × 0.096 × 730 = 420.48 USD/month
    assert h.vms == 6 and h.vm_monthly == pytest.approx(420.48)
    assert h.vm_yearly == pytest.approx(420.48 * 12)  # 5,045.76
    # (4.8 × 0.04048 + 19.2 × 0.004445) × 730 = (0.194304 + 0.085344) × 730 = 0.279648 × 730 = 204.14304
    assert (h.container_vcpu, h.container_mem_gb) == pytest.approx((4.8, 19.2))
    assert h.compute_monthly == pytest.approx(204.14304) and h.overhead_monthly == 0
    assert h.container_monthly == pytest.approx(204.14304) and h.container_yearly == pytest.approx(2449.71648)
    assert h.cheaper == "container" and h.saving_monthly == pytest.approx(420.48 - 204.14304)


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


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"vm_autoscale_share": 0.4},
        {"discount_pct": 30, "platform": "fargate_arm"},
        {"avg_vcpu": 37, "avg_mem_gb": 90, "vm_vcpu": 4, "vm_mem_gb": 16, "control_plane_usd_month": 400},
        {"vm_type": "azure_d2s_v5", "headroom_pct": 60, "container_discount_pct": 35},
    ],
)
def test_break_even_fractional_costs_are_equal(inputs):
    h = hosting_cost(whole_vms=False, **inputs)
    be = break_even_variability(whole_vms=False, **inputs)
    assert be == h.break_even and 1 < be < math.inf
    at = hosting_cost(whole_vms=False, **{**inputs, "peak_to_avg": be})
    assert at.vm_monthly == pytest.approx(at.container_monthly, rel=1e-9)
    assert h.vm_monthly_at(be * 0.999) < h.container_monthly < h.vm_monthly_at(be * 1.001)


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"vm_autoscale_share": 0.4},
        {"discount_pct": 30},
        {"avg_vcpu": 37, "avg_mem_gb": 90, "vm_vcpu": 4},
    ],
)
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


def test_serverless_pays_no_node_headroom_and_ecs_no_control_plane():
    # The finding: node headroom and a control plane belong to a node pool, not to Fargate on ECS.
    h = hosting_cost()
    assert h.serverless and h.nodes == 0 and h.control_plane_usd_month == 0 and h.overhead_monthly == 0
    assert h.container_monthly == pytest.approx((4.8 * X86_CPU + 19.2 * X86_MEM) * 730)
    spot = hosting_cost(container_discount_pct=70)
    assert spot.container_monthly == pytest.approx(h.container_monthly * 0.3)


def test_a_node_pool_is_the_same_vms_partly_packed_plus_a_control_plane():
    h = hosting_cost(platform="node_pool")
    # peak 3 × 2 VM-loads / 85 % packing = 7.06 -> 8 nodes of the same m5.large, + EKS 0.10 USD/h × 730
    assert h.nodes == 8 and h.compute_monthly == pytest.approx(8 * 0.096 * 730)
    assert h.control_plane_usd_month == pytest.approx(EKS_MONTH) and h.container_monthly > h.vm_monthly
    assert h.break_even == math.inf and h.cheaper == "vm"
    # it follows the load exactly as the VMs do, so autoscaling helps both alike
    auto = hosting_cost(platform="node_pool", vm_autoscale_share=1)
    assert auto.vms == 2 and auto.nodes == 3  # 2 / 0.85 = 2.35 -> 3
    for ratio in (1, 2, 5, 50):
        assert h.container_monthly_at(ratio) >= h.vm_monthly_at(ratio)
    full = hosting_cost(platform="node_pool", packing_pct=100, control_plane_usd_month=0)
    assert full.container_monthly == full.vm_monthly and full.cheaper == "neither"


def test_tco_by_hand():
    t = tco(
        years=5,
        hosting_vm_usd_year=5046,
        hosting_container_usd_year=2450,
        team_size=4,
        engineer_usd_year=120_000,
        ops_share_vm_pct=30,
        ops_share_container_pct=25,
        training_usd_per_engineer=2000,
        migration_engineer_months=6,
        failure_probability_pct=20,
        failed_migration_usd=100_000,
    )
    # VMs: 5,046 + 4 × 120,000 × 0.30 = 149,046 a year; containers: 2,450 + 120,000 = 122,450 a year
    # one-offs: 4 × 2,000 + 6 × 10,000 + 0.2 × 100,000 = 8,000 + 60,000 + 20,000 = 88,000
    assert list(t.cumulative("vm")) == [0, 149_046, 298_092, 447_138, 596_184, 745_230]
    assert list(t.cumulative("container")) == [88_000, 210_450, 332_900, 455_350, 577_800, 700_250]
    assert t.totals("container") == {
        "hosting": 12_250,
        "engineering": 600_000,
        "training": 8_000,
        "migration": 60_000,
        "risk": 20_000,
    }
    assert sum(t.totals("vm").values()) == t.cumulative("vm")[-1]
    assert t.break_even_years == pytest.approx(88_000 / 26_596) and t.break_even_year == 4
    assert t == tco()  # the defaults are this case (hosting from the cost calculator, rounded)
    assert default_hosting() == (5046.0, 2450.0)


@pytest.mark.parametrize(("arg", "name"), COST_NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hosting_refuses_hostile_values(arg, name, value, words):
    if arg == "control_plane_usd_month" and (value is None or (isinstance(value, str) and not value.strip())):
        assert hosting_cost(**{arg: value}) == hosting_cost()  # None or empty: the platform's own
        return
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


@pytest.mark.parametrize(
    ("call", "values", "message"),
    [
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
        (hosting_cost, {"platform": "lambda"}, "platform must be one of fargate_x86, fargate_arm, node_pool"),
        (hosting_cost, {"packing_pct": 0}, "packing must be at least 1 %"),
        (hosting_cost, {"container_discount_pct": 101}, "container discount must be at most 100 %"),
        (tco, {"years": 0}, "years must be at least 1, got 0"),
        (tco, {"years": 2.5}, "years must be a whole number, got 2.5"),
        (tco, {"team_size": 0}, "team size must not be zero"),
        (tco, {"failure_probability_pct": 101}, "failure probability must be at most 100 %"),
        (tco, {"ops_share_vm_pct": 120}, "VM operations share must be at most 100 %"),
    ],
)
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
    assert tco(engineer_usd_year=0, hosting_vm_usd_year="1e3").recurring["vm"] == {"hosting": 1000, "engineering": 0}
