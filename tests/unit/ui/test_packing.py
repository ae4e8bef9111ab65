"""Static VM allocation vs a shared container pool: first-fit decreasing by hand,
exact outputs on hand-made demand, seeded synthetic demand, hostile inputs
through the model and through the widget."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.packing import CONSTANT, NUMERIC
from widgets.core.validate import ILLUSTRATIVE, defaults_of
from widgets.models.packing import compare, pack
from widgets.models.packing import compare as _model
from widgets.ui.packing import PackingCalculator, details, packing_figure, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


def snapshot(calc):
    return [(list(t.x), list(t.y)) for t in calc.figure.data], calc.summary.value, calc.detail.value


def test_constant_demand_by_hand():
    p = pack(CONSTANT, host_cores=8, vm_step=1, request_percentile=95)
    v, c = p.vm, p.container
    # VMs: peaks 2.5, 3.5, 1.5 -> 3, 4, 2 vCPUs; FFD into 8: [4, 3] then 2 opens a second host.
    assert v.sizes == (3, 4, 2) and v.bins == ((1, 0), (2,)) and v.hosts == 2
    assert v.allocated_core_h == 9 * 4 and v.used_core_h == 7.5 * 4 and v.stranded_core_h == 6
    assert v.utilisation == pytest.approx(30 / 36) and v.host_utilisation == pytest.approx(30 / 64)
    assert v.unallocated_core_h == (1 + 6) * 4 and v.host_unallocated == (1, 6)
    assert v.peak_utilisation == pytest.approx(6 / 7) and v.overload_steps == 0 and v.unmet_core_h == 0
    assert v.host_used == (6, 1.5) and v.host_stranded == (1, 0.5)
    # Containers: requests = the constant demand, 7.5 in all -> one 8-core host, shared.
    assert c.sizes == (2.5, 3.5, 1.5) and c.bins == ((1, 0, 2),) and c.hosts == 1
    assert c.allocated_core_h == 32 and c.used_core_h == 30 and c.stranded_core_h == 2
    assert c.utilisation == 0.9375 and c.peak_utilisation == 0.9375 and c.overload_steps == 0
    assert not p.synthetic and "given demand" in summarize(p)
    assert summarize(p) == (
        "On the given demand for 3 services, VMs sized for their own peak need 2 hosts (utilisation 83% of the "
        "VMs' cores, 6 core-hours stranded), containers requesting their p95 need 1 host (utilisation 94% of the "
        "pool, 2 core-hours idle), with no hour in which a host's summed demand exceeded its cores."
    )
    assert compare(demand_cores=CONSTANT, host_cores=8) == p


def test_contention_when_peaks_coincide():
    # Two services idle at 1 core, both peaking at 3 in the last hour; p50 requests 1 each -> one 4-core host.
    d = np.array([[1, 1, 1, 3], [1, 1, 1, 3]], dtype=float)
    p = pack(d, host_cores=4, vm_step=1, request_percentile=50)
    assert p.container.hosts == 1 and p.container.overload_steps == 1
    assert p.container.unmet_core_h == 2 and p.container.peak_utilisation == 1.5
    assert p.container.host_overload_steps == (1,)
    assert p.vm.hosts == 2 and p.vm.overload_steps == 0  # VMs of 3 vCPUs: never overloaded, 2 hosts
    assert "1 of 4 hours" in summarize(p) and "2.0 core-hours not served" in summarize(p)
    assert pack(d, host_cores=4, request_percentile=100).container.hosts == 2  # requests at peak: safe


def test_defaults_pool_needs_fewer_hosts():
    p = compare()
    assert p.synthetic and p.n_services == 20 and p.steps == 168
    assert p.container.hosts < p.vm.hosts and p.container.utilisation > p.vm.utilisation
    assert p.vm.overload_steps == 0 and p.vm.unmet_core_h == 0
    assert sum(p.vm.host_unallocated) * p.steps == pytest.approx(p.vm.unallocated_core_h)
    for s in (p.vm, p.container):
        assert s.used_core_h == pytest.approx(sum(s.host_used) * p.steps)
        assert s.used_core_h + s.stranded_core_h == pytest.approx(s.allocated_core_h)
    assert "synthetic demand" in summarize(p)
    low = compare(request_percentile=50)
    assert low.container.overload_steps > 0 and low.container.peak_utilisation > 1


def test_widget_starts_with_the_defaults_and_labels_them():
    calc = PackingCalculator()
    assert calc.error is None and calc.last_exception is None and calc.result == compare()
    assert "cvm-packing" in calc._dom_classes and set(calc.controls) == set(DEFAULTS) - {"demand_cores"}
    assert "synthetic" in calc.children[0].value and ILLUSTRATIVE in calc.children[0].value
    assert ILLUSTRATIVE in calc.controls["request_percentile"].tooltip
    assert "synthetic" in calc.figure.layout.title.text and "synthetic" in calc.detail.value
    n = calc.result.vm.hosts + calc.result.container.hosts
    assert all(len(t.y) == n for t in calc.figure.data)
    assert list(calc.figure.data[0].y[: calc.result.vm.hosts]) == list(calc.result.vm.host_used)
    assert calc.figure.data[0].marker.color == COLORS["vm"] and calc.figure.data[1].marker.color == COLORS["container"]


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), NUMERIC)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_widget_hostile_text_keeps_last_good_figure(arg, name, whole, zero_ok, text):
    calc = PackingCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good  # recovers
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


def test_widget_shows_contention_and_recovers_from_a_too_small_host():
    calc = PackingCalculator()
    calc.controls["request_percentile"].value = "50"
    assert calc.result.container.overload_steps > 0 and "h over" in "".join(calc.figure.data[1].text)
    assert "contention" in calc.summary.value and sum(calc.figure.data[4].y) > 0
    before = snapshot(calc)
    calc.controls["host_cores"].value = "1"
    assert calc.error.startswith("VM size step") or "more than a host's 1 cores" in calc.error
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls["host_cores"].value = "32"
    assert calc.error is None and calc.result.host_cores == 32


def test_static_figure_and_details():
    p = compare()
    fig = packing_figure(p)
    assert fig.layout.yaxis.title.text.startswith("cores") and fig.layout.shapes[0].y0 == 16
    assert [t.name for t in fig.data][:3] == ["used by VMs", "used by containers", "allocated but idle (stranded)"]
    assert "<table>" in details(p) and "stranded" in details(p)


def test_widget_refuses_unknown_keyword():
    with pytest.raises(ValueError, match="unknown input"):
        PackingCalculator(cores=8)
