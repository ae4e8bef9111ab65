"""Lesson 04's two cost tools agree once they assume the same practice: the calculator, given the simulation's
workload and the share of the swings its autoscaled VMs followed, bills what the simulation billed for them."""

from __future__ import annotations

import pytest

from widgets.models import costs, loadsim


@pytest.mark.parametrize("kind", ["realistic", "daily", "weekly"])
def test_the_calculator_at_the_simulations_share_bills_the_simulations_vms(kind):
    sim = loadsim.load_compare(kind=kind, days=56, seed=1)
    mean, peak = float(sim.demand_rps.mean()), float(sim.demand_rps.max())
    share = sim.followed_share("vm")
    vcpus = mean / 50  # the simulation's 50 req/s per vCPU (its default, illustrative)
    workload = dict(avg_vcpu=vcpus, avg_mem_gb=vcpus * 2, peak_to_avg=peak / mean, whole_vms=False)
    held = costs.hosting_cost(**workload)
    followed = costs.hosting_cost(**workload, vm_autoscale_share=share)
    sim_vm_monthly = sim.vm.cost_usd / 56 * 365 / 12
    assert followed.vm_monthly == pytest.approx(sim_vm_monthly, rel=0.05)  # the same practice, the same bill
    assert held.vm_monthly > 1.1 * followed.vm_monthly  # held for the peak: the gap the lesson explains
    assert 0 < share < 1
