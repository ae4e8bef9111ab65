"""Lesson 01's widgets: the trap explorer, the trap-count practice, the KVM lab
widget (live and simulated) and the timeline figure."""

from __future__ import annotations

import datetime as dt

import pytest

import widgets
from widgets.core.units import parse_date
from widgets.labs import kvm, kvmlab
from widgets.models import toycpu
from widgets.models import traps as traps_model
from widgets.ui import kvmlab as kvmlab_ui
from widgets.ui import trapsim
from widgets.ui.timeline import timeline_figure

KVM_USABLE = kvm.kvm_status().usable


def test_explorer_shows_the_popf_problem_and_its_fixes():
    ex = trapsim.TrapExplorer()
    assert not ex.result.run.equivalent
    assert "NOT behave" in ex.summary.value and "Not equivalent" in ex.detail.value
    assert "did not trap" in ex.detail.value
    ex.controls["trap_popf"].value = True
    assert ex.result.run.equivalent and ex.result.run.total_traps == 3
    ex.controls["trap_popf"].value = False
    ex.controls["mode"].value = "binary-translation"
    assert ex.result.run.equivalent
    ex.controls["mode"].value = "hardware-assisted"
    assert ex.result.run.equivalent and ex.result.run.total_traps == 2


def test_explorer_figure_stacks_cycles_by_event():
    ex = trapsim.TrapExplorer(example="interrupt-heavy")
    fig = ex.figure
    native = sum(t.x[0] for t in fig.data)
    guest = sum(t.x[1] for t in fig.data)
    assert native == ex.result.native.cycles and guest == ex.result.run.cycles
    trap_and_emulate = ex.result.run.total_traps
    ex.controls["mode"].value = "hardware-assisted"
    assert ex.result.run.total_traps < trap_and_emulate  # CLI/STI need no exit with VT-x


def test_explorer_loads_examples():
    ex = trapsim.TrapExplorer()
    ex.example.value = "who-am-i"
    assert "RDMODE" in ex.controls["program"].value
    assert not ex.result.run.equivalent and "RDMODE" in " ".join(ex.result.run.divergences)


@pytest.mark.parametrize(
    ("control", "value", "words"),
    [
        ("trap_cost", "-1", "must be at least 0"),
        ("trap_cost", "abc", "must be a number"),
        ("trap_cost", "nan", "not a number"),
        ("trap_cost", "inf", "finite"),
        ("trap_cost", "1e9", "at most"),
        ("trap_cost", "", "empty"),
        ("trap_cost", "2.5", "whole number"),
        ("program", "", "program"),
        ("program", "FLY 3", "unknown instruction"),
        ("program", "LOAD 999\nHLT", "LOAD operand"),
        ("program", "JNZ nowhere\nHLT", "not a label"),
    ],
)
def test_explorer_hostile_input_keeps_last_figure(control, value, words):
    ex = trapsim.TrapExplorer()
    before = [list(t.x) for t in ex.figure.data]
    ex.controls[control].value = value
    assert ex.error and words in ex.error, ex.error
    assert "last valid input" in ex.status.value
    assert [list(t.x) for t in ex.figure.data] == before
    assert ex.last_exception is None


def test_endless_guest_stops_with_a_message():
    ex = trapsim.TrapExplorer()
    ex.controls["program"].value = "loop: LOAD 1\nJNZ loop"
    assert ex.error is None and not ex.result.run.halted
    assert "Stopped" in ex.detail.value and "never halted" in ex.detail.value


def test_kvm_lab_fallback_is_forced_by_live_off():
    lab = kvmlab.kvm_lab("Hi!", 7, 5, live="off")
    assert not lab.live and lab.run.simulated and "live='off'" in lab.why
    assert lab.run.output == "Hi!12" and lab.run.exits == {"IO": 5, "HLT": 1}
    assert "simulated" in kvmlab_ui.summarize(lab)


@pytest.mark.live
@pytest.mark.skipif(not KVM_USABLE, reason=f"/dev/kvm not usable here: {kvm.kvm_status().reason}")
def test_kvm_lab_live_matches_simulation():
    live = kvmlab.kvm_lab("Hi!", 7, 5, live="auto")
    sim = kvmlab.kvm_lab("Hi!", 7, 5, live="off")
    assert live.live and not live.run.simulated
    assert (live.run.output, live.run.exits) == (sim.run.output, sim.run.exits)
    assert "measured here" in kvmlab_ui.summarize(live)


def test_kvm_widget_hostile_message_keeps_figure():
    w = kvmlab_ui.KvmLab("Hi", live="off")
    before = list(w.figure.data[0].y)
    for bad in ("", "é accent", "x" * 300):
        w.controls["message"].value = bad
        assert w.error and "message" in w.error
        assert list(w.figure.data[0].y) == before and w.last_exception is None
    w.controls["message"].value = "Hello"
    assert w.error is None and list(w.figure.data[0].y) == [5, 1]


def test_timeline_dates_and_figure():
    assert parse_date("2000") == dt.date(2000, 1, 1)
    assert parse_date("1974-07") == dt.date(1974, 7, 1)
    assert parse_date("2005-11-15") == dt.date(2005, 11, 15)
    for bad in ("", "soon", None, "2005-13"):
        with pytest.raises(ValueError, match="a date must be text"):
            parse_date(bad)
    table = widgets.load("virtualization_history")
    fig = timeline_figure(table, "Milestones")
    points = fig.data[-1]
    assert len(points.x) == len(table)
    assert list(points.x) == sorted(points.x)
    secondary = [c[1] == "secondary" for c in points.customdata]
    assert any(secondary) and all((col == "white") == s for col, s in zip(points.marker.color, secondary, strict=True))


def test_census_counts_and_equivalence():
    c = traps_model.census(40, length=10)
    assert c.seeds == tuple(range(40))
    for mode in toycpu.MODES:
        assert len(c.exits[mode]) == 40
    first = toycpu.random_program(0, 10)
    assert c.exits["trap-and-emulate"][0] == toycpu.expected_traps(first)
    assert c.equivalent["binary-translation"] == 1.0 and c.equivalent["hardware-assisted"] == 1.0
    assert c.equivalent["trap-and-emulate"] < 1.0
    assert sum(c.exits["hardware-assisted"]) < sum(c.exits["trap-and-emulate"])
    text = trapsim.census_summary(c)
    assert "100% did" in text and "traps per program" in text
    fig = trapsim.census_figure(c)
    assert len(fig.data) == 3 and "synthetic" in fig.layout.title.text
    with pytest.raises(ValueError, match="number of programs"):
        traps_model.census(0)
