"""Scale-out after a step in demand: instances, batches, ramp times and lost
requests computed by hand, scale-in, the cited start times, hostile inputs
through the model and the widget, and the time axis toggle."""

from __future__ import annotations

import pytest

from tests.hostile import assert_hostile_text_keeps_figure
from tests.unit.support.scaleout import DOCKER_S, NUMERIC
from widgets.core.validate import defaults_of
from widgets.models.scaleout import scale_out
from widgets.models.scaleout import scale_out as _model
from widgets.ui.scaleout import ScaleOutCalculator, details, figure, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


EC2_S = 96.9  # EC2 Linux m1.small, Mao & Humphrey 2012


def test_default_scale_out_by_hand():
    s = scale_out(current_rps=1000, new_rps=3000, capacity_rps=100, headroom_pct=20, parallel_starts=8)
    # ceil(1000 × 1.2 / 100) = 12 (not 13: 1000 × 1.2 is 1200.0000000000002 in floats), ceil(3600 / 100) = 36
    assert (s.before, s.after, s.add, s.remove) == (12, 36, 24, 0)
    assert s.batches == 3 and list(s.steps) == [12, 20, 28, 36]
    assert s.ready_s("container") == pytest.approx(3 * DOCKER_S)  # 3.5793 s
    assert s.ready_s("vm") == pytest.approx(3 * EC2_S)  # 290.7 s
    assert s.meets_s("vm") == pytest.approx(3 * EC2_S)  # 30 instances carry 3000 req/s only after batch 3
    # Shortfall per batch: 3000 - 1200, 3000 - 2000, 3000 - 2800 = 1800 + 1000 + 200 = 3000 req/s
    assert s.lost("container") == pytest.approx(3000 * DOCKER_S)  # 3,579.3 requests
    assert s.lost("vm") == pytest.approx(3000 * EC2_S)  # 290,700 requests
    assert summarize(s) == (
        "From 1,000 to 3,000 req/s the fleet grows from 12 to 36 instances (24 to add, 20% headroom) in 3 "
        "batches of up to 8: containers serve at full size after 3.58 s, VMs after 4.85 min; requests not "
        "served during the ramp: 3,579 with containers, 290,700 with VMs."
    )
    assert scale_out() == s  # the defaults are this example


def test_one_at_a_time_meets_demand_before_the_ramp_ends():
    s = scale_out(parallel_starts=1)
    assert s.batches == 24 and s.ready_s("container") == pytest.approx(24 * DOCKER_S)
    assert s.meets_s("container") == pytest.approx(18 * DOCKER_S)  # 12 + 18 = 30 instances = 3000 req/s
    # sum over k = 0..17 of (3000 - (12 + k) × 100) = 18 × 1800 - 100 × 153 = 17,100 req/s·batch
    assert s.lost("container") == pytest.approx(17_100 * DOCKER_S)
    assert s.lost("vm") == pytest.approx(17_100 * EC2_S)
    assert "(capacity meets the demand after 21.5 s and 29.1 min)" in summarize(s)


def test_lower_demand_is_a_scale_in():
    s = scale_out(new_rps=500)
    assert (s.before, s.after, s.add, s.remove, s.batches) == (12, 6, 0, 6, 0)
    assert s.ready_s("vm") == 0 and s.lost("vm") == 0 and s.lost("container") == 0
    assert "scales in from 12 to 6 instances" in summarize(s) and "no request is lost" in summarize(s)
    same = scale_out(new_rps=1000)
    assert same.add == same.remove == 0 and "already has the 12 instances" in summarize(same)


def test_details_show_the_arithmetic_and_cite_the_start_times():
    text = details(scale_out())
    assert "ceil(1000 × 1.2 / 100) = 12 before" in text and "ceil(3000 × 1.2 / 100) = 36 after" in text
    assert "ceil(24 / 8) = 3 batches" in text
    assert "EC2 Linux m1.small</b>: 96.9 s, mean, 2011-10-15 to 2012-02-15 (M. Mao 2012)" in text
    assert "(gVisor authors (Google) 2020)" in text and "illustrative assumptions" in text


def test_figure_steps_follow_the_batches():
    s = scale_out()
    fig = figure(s)
    containers, vms, demand, target = fig.data
    assert containers.line.color == COLORS["container"] and vms.line.color == COLORS["vm"]
    assert containers.line.shape == vms.line.shape == "hv"
    assert list(vms.y) == [1200, 2000, 2800, 3600, 3600] and list(vms.customdata) == [12, 20, 28, 36, 36]
    assert list(vms.x)[1:4] == pytest.approx([96.9, 193.8, 290.7])
    assert list(containers.x)[1:4] == pytest.approx([DOCKER_S, 2 * DOCKER_S, 3 * DOCKER_S])
    assert list(demand.y) == [3000, 3000] and list(target.y) == pytest.approx([3600, 3600])
    assert fig.layout.xaxis.type == "log" and vms.x[0] > 0
    assert "(s, log scale)" in fig.layout.xaxis.title.text and "(req/s)" in fig.layout.yaxis.title.text


def test_widget_follows_its_controls_and_axis_toggle():
    calc = ScaleOutCalculator()
    assert calc.name == "scaleout" and calc.error is None and "3 batches" in calc.summary.value
    calc.controls["parallel_starts"].value = 24
    assert "in 1 batch of up to 24" in calc.summary.value
    calc.controls["vm_start"].value = "rackspace_linux"
    assert "VMs after 44.2 s" in calc.summary.value
    calc.axis.value = "linear"
    assert calc.figure.layout.xaxis.type == "linear" and calc.figure.data[1].x[0] == 0
    assert list(calc.figure.layout.xaxis.range)[0] == 0 and "log" not in calc.figure.layout.xaxis.title.text
    calc.controls["new_rps"].value = "4000"
    assert calc.figure.data[1].x[0] == 0  # a redraw keeps the linear axis
    calc.axis.value = "log"
    assert calc.figure.data[1].x[0] > 0 and calc.figure.layout.xaxis.type == "log"
    calc.controls["new_rps"].value = "200"
    assert "scales in" in calc.summary.value and calc.last_exception is None


def test_widget_takes_starting_values():
    calc = ScaleOutCalculator(new_rps=5000, parallel_starts=4)
    assert calc.result.after == 60 and calc.result.batches == 12
    assert calc.controls["new_rps"].value == "5000"
    with pytest.raises(ValueError, match="unknown input"):
        ScaleOutCalculator(speed=3)
    assert set(DEFAULTS) == set(ScaleOutCalculator().controls)


@pytest.mark.parametrize("control", ["current_rps", "new_rps", "capacity_rps", "headroom_pct"])
def test_widget_hostile_text_keeps_last_good_figure(control):
    calc = ScaleOutCalculator()
    name = dict(NUMERIC)[control]
    assert_hostile_text_keeps_figure(calc, control, name, f"{DEFAULTS[control]:g}")
