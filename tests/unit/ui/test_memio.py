"""Lesson 01's memory and I/O widgets (and lesson 07's overcommit and device figures): redraws, hostile input."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE_TEXT, assert_hostile_text_keeps_figure
from widgets.labs.kvm import kvm_status
from widgets.ui import devices, kvmio, migration, overcommit, pagewalk
from widgets.ui.packing import PackingCalculator

KVM = kvm_status().usable


def test_io_lab_model_fallback_and_its_counts():
    calc = kvmio.IoLabCalculator(live="off", n_bytes="100", chunk="40", per_doorbell="2")
    assert list(calc.figure.data[0].y) == [2, 0, 1] and calc.figure.data[1].y == (None,)
    assert "the model" in calc.summary.value and "3 exits to user space" in calc.summary.value
    calc.controls["path"].value = "serial"
    assert list(calc.figure.data[0].y) == [100, 0, 1] and "emulated UART" in calc.figure.layout.title.text


@pytest.mark.live
@pytest.mark.skipif(not KVM, reason="/dev/kvm not usable here")
def test_io_lab_live_shows_kvms_own_count():
    calc = kvmio.IoLabCalculator(n_bytes="64")
    assert "measured here" in calc.summary.value and "<pre>" in calc.detail.value
    if calc.result.run.kernel:
        assert calc.figure.data[1].y[0] >= 2 and "KVM's own counters" in calc.detail.value


@pytest.mark.parametrize(("control", "name"), [("n_bytes", "message length"), ("chunk", "chunk size"),
                                               ("per_doorbell", "descriptors per doorbell")])  # fmt: skip
def test_io_lab_hostile_text(control, name):
    calc = kvmio.IoLabCalculator(live="off")
    good = calc.controls[control].value
    assert_hostile_text_keeps_figure(calc, control, name, good)
    calc.controls["n_bytes"].value = "4096"
    calc.controls["chunk"].value = "10"
    assert "needs 410 descriptors" in calc.error


def test_sweep_figures_from_the_recording():
    sweep = kvmio.recorded_sweep()
    exits = kvmio.sweep_exits_figure(sweep)
    assert list(exits.data[0].y)[-1] == 4097 and set(exits.data[1].y) == {2}
    times = kvmio.sweep_times_figure(sweep)
    assert len(times.data) == 4 and "recorded on 2026-12-03" in times.layout.title.text
    assert "per byte" in kvmio.costs_sentence(sweep) and "4,097 exits" in kvmio.summarize_sweep(sweep)


def test_migration_calculator_redraws_and_marks_stop_and_copy():
    calc = migration.MigrationCalculator()
    assert list(calc.figure.data[0].x) == ["round 1", "round 2", "round 3", "round 4", "round 5", "stop-and-copy"]
    assert "converged after 5 rounds" in calc.summary.value and "Quake 3" in calc.detail.value
    calc.controls["dirty_rate_mb_s"].value = "200"
    assert "did not converge" in calc.summary.value and "did not converge" in calc.figure.layout.title.text
    calc.controls["mode"].value = "post-copy"
    assert len(calc.figure.data[0].x) == 2 and "Post-copy" in calc.summary.value


@pytest.mark.parametrize(
    ("control", "name"),
    [("memory_mb", "memory"), ("bandwidth_mbps", "link bandwidth"), ("dirty_rate_mb_s", "dirty rate"),
     ("threshold_mb", "threshold")],
)  # fmt: skip
def test_migration_hostile_text(control, name):
    calc = migration.MigrationCalculator()
    assert_hostile_text_keeps_figure(calc, control, name, calc.controls[control].value)


def test_migration_zero_bandwidth_and_a_working_set_beyond_memory():
    calc = migration.MigrationCalculator()
    calc.controls["bandwidth_mbps"].value = "0"
    assert "more than 0 Mbit/s" in calc.error
    calc.controls["bandwidth_mbps"].value = "1000"
    calc.controls["wws_mb"].value = "5000"
    assert "cannot be larger than the guest's memory" in calc.error and calc.last_exception is None


def test_dirty_figure_and_summary():
    lab = migration.dirty_lab(6, 2, live="off")
    fig = migration.dirty_figure(lab)
    assert list(fig.data[0].x) == [0, 1, 2, 3, 4, 5] * 2 and "the model's pages" in fig.layout.title.text
    assert "exactly the 6-page working set" in migration.summarize_dirty(lab)


def test_page_walk_calculator():
    calc = pagewalk.PageWalkCalculator()
    assert list(calc.figure.data[1].text) == ["4", "4", "24"] and "PVM" in calc.figure.layout.annotations[0].text
    calc.controls["guest_page"].value = "2 MiB"
    calc.controls["host_page"].value = "2 MiB"
    assert list(calc.figure.data[1].text) == ["3", "3", "15"] and "J. Stojkovic 2022" in calc.summary.value


def test_overcommit_calculator():
    calc = overcommit.OvercommitCalculator()
    assert "hold 46 VMs" in calc.summary.value and "ends whole VMs" in calc.summary.value
    calc.controls["ratio"].value = "1"
    assert "hold 31 VMs" in calc.summary.value and calc.figure.data[3].y == (0, 0, 0, 0)
    calc.controls["balloon"].value = False
    assert calc.error is None and "Difference Engine" in calc.detail.value


@pytest.mark.parametrize(("control", "name"), [("ratio", "overcommit ratio"), ("vm_memory_gib", "VM memory"),
                                               ("swap_gib", "host swap")])  # fmt: skip
def test_overcommit_hostile_text(control, name):
    calc = overcommit.OvercommitCalculator()
    assert_hostile_text_keeps_figure(calc, control, name, calc.controls[control].value)


def test_device_paths_figure_is_built_from_the_data():
    fig = devices.io_paths_figure()
    labels = [y for trace in fig.data for y in trace.y]
    assert any(y.startswith("emulated device") for y in labels) and any("SR-IOV" in y for y in labels)
    assert "different studies" in fig.layout.title.text and "compare directions" in devices.summarize_io_paths()
    assert "64" in devices.devices_table_html()


def test_packing_calculator_takes_cpu_overcommit():
    calc = PackingCalculator()
    before = calc.summary.value
    calc.controls["vm_overcommit"].value = "2"
    assert "overcommitted 2 vCPUs per core" in calc.summary.value and "2:1" in calc.figure.layout.title.text
    calc.controls["vm_overcommit"].value = "0.5"
    assert "VM CPU overcommit must be at least 1" in calc.error
    calc.controls["vm_overcommit"].value = "1"
    assert calc.summary.value == before


def test_hostile_list_is_the_shared_one():
    assert "nan" in HOSTILE_TEXT
