"""The self-healing figure, summary, details and calculator: what they say, and hostile input."""

from __future__ import annotations

import pytest

from tests.hostile import assert_hostile_text_keeps_figure
from tests.unit.support.healing import HOUR, NUMERIC, run
from widgets.core.validate import defaults_of
from widgets.models.healing import simulate_healing
from widgets.ui.healing import HealingCalculator, details, figure, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(simulate_healing)
TEXT_CONTROLS = [k for k, _ in NUMERIC if k != "n_instances"]


def test_summary_compares_restart_with_restart_and_replacement_with_replacement():
    text = summarize(run([(0, 0.5)], [(0, 0.75)]))
    assert "the same 1 crashes struck both fleets" in text
    assert "a container 1.29 s (Docker Engine waits 0.1 s, doubling" in text
    assert "a VM's process 101 ms (systemd waits 0.1 s each time, gives up after 5 starts in 10 s" in text
    assert "a lost host costs 61.2 s for containers and 2.62 min for VMs" in text
    assert "losing" in text and "given by hand" in text


def test_a_fleet_too_small_loses_requests_even_without_failures():
    r = run([], demand_rps=300)  # needs 6, has 4: 100 req/s short for 1 h
    assert r.needed == 6 and r.container.lost == r.vm.lost == pytest.approx(100 * HOUR)
    assert "carry only 200 of the 300 req/s demand" in summarize(r)


def test_details_cite_the_rules_and_start_times():
    text = details(run([(0, 0.5)]))
    assert "Docker Engine: restart policy" in text and "systemd: Restart=on-failure" in text
    assert "EC2 Linux m1.small</b>: 96.9 s, mean" in text and "fork/exec on Linux</b>" in text
    assert "illustrative assumptions" in text and "five minutes" in text
    assert "nobody restarts it: it stays down" in details(run([], container_restart="none"))


def test_figure_shows_both_fleets_and_the_needed_line():
    fig = figure(run([], [(0, 0.5)], containers_per_host=4))
    vms, containers, need = fig.data  # containers on top
    assert containers.line.color == COLORS["container"] and vms.line.color == COLORS["vm"]
    assert min(containers.y) == 0 and min(vms.y) == 3 and list(need.y) == [4, 4]
    assert fig.layout.title.text.startswith("Instances up over time: the same crashes")
    assert "Docker" in containers.name and "systemd" in vms.name


def test_widget_follows_its_controls():
    calc = HealingCalculator()
    assert calc.name == "healing" and calc.error is None and calc.last_exception is None
    calc.controls["crashes_per_day"].value = "0"
    calc.controls["host_failures_per_day"].value = "0"
    assert set(calc.figure.data[1].y) == {20} and "the same 0 crashes" in calc.summary.value
    calc.controls["crashes_per_day"].value = "5"
    calc.controls["container_restart"].value = "kubernetes"
    assert "Kubernetes kubelet waits 10 s" in calc.summary.value
    calc.controls["vm_start"].value = "ec2_windows_m1small"
    assert calc.result.vm_start.seconds == 810.2 and calc.last_exception is None


def test_widget_takes_starting_values():
    calc = HealingCalculator(n_instances=10, crashes_per_day=0, hours=6)
    assert calc.result.n_instances == 10 and calc.result.n_crashes == 0 and calc.result.hours == 6
    with pytest.raises(ValueError, match="unknown input"):
        HealingCalculator(colour="red")
    assert set(DEFAULTS) - {"crashes", "host_failures", "process_start"} == set(HealingCalculator().controls)


@pytest.mark.parametrize("control", TEXT_CONTROLS)
def test_widget_hostile_text_keeps_last_good_figure(control):
    calc = HealingCalculator()
    name = dict(NUMERIC)[control]
    assert_hostile_text_keeps_figure(calc, control, name, f"{DEFAULTS[control]:g}")
