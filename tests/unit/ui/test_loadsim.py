"""Cost under variable load: the autoscaler by hand, conservation, the vectorised
formula against the per-minute reference loop on many random cases, the
synthetic profiles, the cited delays and prices, the spike question, the
figures, and hostile inputs through the model and the widget."""

from __future__ import annotations

import math
import re

import pytest

from tests.hostile import assert_hostile_text_keeps_figure
from tests.unit.support.loadsim import BASE, DAY
from widgets.core.validate import defaults_of
from widgets.models.loadsim import MAX_POINTS, Comparison, load_compare, simulate
from widgets.models.loadsim import load_compare as _model
from widgets.ui.loadsim import LoadCalculator, cumulative_cost_figure, demand_capacity_figure, details, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


WIDGET_TEXT = {
    "base_rps": "base demand",
    "peak_rps": "peak demand",
    "capacity_per_vcpu_rps": "capacity per vCPU",
    "headroom_pct": "headroom",
    "cooldown_min": "scale-in cool-down",
    "window_start_day": "window start",
    "seed": "seed",
}


@pytest.fixture(scope="module")
def year():
    return load_compare()


def test_utilisation():
    assert simulate([150.0] * 4, **BASE).utilisation_pct == pytest.approx(75)
    assert simulate([300.0] * 4, **BASE).utilisation_pct == pytest.approx(100)
    r = simulate([100.0, 300, 300, 300], **BASE)  # minutes 1-3: 300 req/s on 100 req/s of capacity is 100%
    assert r.utilisation_pct == pytest.approx(100)
    idle = simulate([0.0] * 5, **BASE)
    assert math.isnan(idle.utilisation_pct) and idle.cost_usd == 0
    c = Comparison(idle.demand_rps, idle, idle)
    assert summarize(c).count("utilisation n/a") == 2


def test_demand_capacity_figure_downsamples_by_bucket_maxima(year):
    fig = demand_capacity_figure(year)  # default window: the first week
    demand, vms, pool, containers = fig.data
    assert vms.line.color == COLORS["vm"] and containers.line.color == COLORS["container"]
    assert pool.line.color == COLORS["container"] and pool.line.dash == "dot" and "node-pool" in pool.name
    assert demand.line.color == COLORS["other"] and vms.line.shape == "hv"
    assert len(demand.x) == 7 * DAY // 15 and "maximum per 15 min" in fig.layout.xaxis.title.text
    assert demand.y[3] == round(year.demand_rps[45:60].max(), 2)  # y rounded to 0.01 req/s
    assert vms.y[3] == year.vm.capacity_rps[45:60].max() and demand.x[3] == round(45 / DAY, 5)
    whole = demand_capacity_figure(year, (0, 365))
    assert all(len(t.x) <= MAX_POINTS for t in whole.data) and max(whole.data[0].y) == pytest.approx(1000)
    day = demand_capacity_figure(year, (100, 1))
    assert len(day.data[0].x) == DAY
    assert list(day.data[3].y) == year.container.capacity_rps[100 * DAY : 101 * DAY].tolist()
    assert "per-minute values" in day.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text == "requests per second (req/s)" and "Synthetic" in fig.layout.title.text


@pytest.mark.parametrize(
    ("window", "words"),
    [
        ((400, 7), "window start must be at most 365"),
        ((0, 0), "window length must not be zero"),
        ("abc", "window must be"),
        ((1,), "window must be"),
        ((365, 1), "before the end"),
        ((float("nan"), 7), "window start"),
    ],
)
def test_demand_capacity_figure_refuses_bad_windows(year, window, words):
    with pytest.raises(ValueError, match=words):
        demand_capacity_figure(year, window)


def test_cumulative_cost_figure_ends_at_the_totals(year):
    fig = cumulative_cost_figure(year)
    vms, pool, containers = fig.data
    assert vms.y[-1] == pytest.approx(year.vm.cost_usd) and containers.y[-1] == pytest.approx(year.container.cost_usd)
    assert pool.y[-1] == pytest.approx(year.node_pool.cost_usd)  # the control plane's 0.10 USD/h included
    assert vms.x[-1] == pytest.approx(365) and len(vms.x) <= MAX_POINTS + 1
    assert vms.line.color == COLORS["vm"] and fig.layout.yaxis.title.text == "cumulative cost (USD)"
    assert f"{year.vm.cost_usd:,.2f} USD" in vms.name


def test_summary_and_details(year):
    text = summarize(year)
    assert text.startswith("Over 365 days of synthetic demand: VMs (autoscaling group) ")
    assert f"{year.vm.cost_usd:,.2f} USD with {year.vm.unmet_minutes:,} min of unmet demand" in text
    assert "containers on a node pool" in text and "serverless containers" in text
    assert f"The VMs followed {year.followed_share():.0%} of the swings" in text
    html = details(year)
    assert "<td>2</td><td>2</td><td>1</td>" in html  # provisioning delays: VMs, nodes, Fargate tasks
    assert "0.096" in html and "seen: undated" in html and "synthetic" in html and "M. Mao 2012" in html


def test_widget_follows_its_controls():
    calc = LoadCalculator()
    assert calc.name == "loadsim" and calc.error is None and calc.last_exception is None
    assert set(calc.controls) == set(DEFAULTS) - {"days"}  # the horizon is the calculator's argument
    first = calc.summary.value
    assert "VMs (autoscaling group)" in first and "synthetic" in calc.detail.value
    calc.controls["kind"].value = "steady"
    assert calc.result.kind == "steady" and set(calc.figure.data[0].y) == {200}
    assert calc.result.vm.unmet_minutes == 0 and calc.summary.value != first
    calc.controls["kind"].value = "realistic"
    calc.controls["vm_start"].value = "ec2_windows_m1small"
    assert calc.result.vm.params["provision_delay_min"] == 14 and calc.result.vm.unmet_minutes > 0
    calc.controls["window_days"].value = 30
    calc.controls["window_start_day"].value = "100"
    assert tuple(calc.figure.layout.xaxis.range) == (100, 130) and calc.result.window == (100, 30)
    assert "maximum per 60 min" in calc.figure.layout.xaxis.title.text
    calc.controls["headroom_pct"].value = "0"
    assert calc.result.vm.params["headroom_pct"] == 0 and calc.last_exception is None


def test_widget_takes_starting_values():
    calc = LoadCalculator(kind="daily", peak_rps=500, window_days=1)
    assert calc.result.kind == "daily" and max(calc.figure.data[0].y) == pytest.approx(500)
    assert len(calc.figure.data[0].x) == DAY
    with pytest.raises(ValueError, match="unknown input"):
        LoadCalculator(colour="red")


@pytest.mark.parametrize("control", list(WIDGET_TEXT))
def test_widget_hostile_text_keeps_last_good_figure(control):
    calc = LoadCalculator()
    name = WIDGET_TEXT[control]
    assert_hostile_text_keeps_figure(calc, control, name, f"{DEFAULTS[control]:g}")


@pytest.mark.parametrize(
    ("control", "value", "words"),
    [
        ("peak_rps", "100", r"base demand \(200\) must not be greater than peak demand \(100\)"),
        ("base_rps", "0", "base demand must not be zero"),
        ("capacity_per_vcpu_rps", "0", "capacity per vCPU must not be zero"),
        ("capacity_per_vcpu_rps", "1e-9", "more than 10,000,000"),
        ("window_start_day", "360", "window start must be at most 358"),
        ("cooldown_min", "2.5", "scale-in cool-down must be a whole number"),
    ],
)
def test_widget_explains_inconsistent_values(control, value, words):
    calc = LoadCalculator()
    calc.controls[control].value = value
    assert calc.error is not None and calc.last_exception is None
    assert re.search(words, calc.error), calc.error
    calc.controls[control].value = f"{DEFAULTS[control]:g}"
    assert calc.error is None
