"""Image layers: storage with and without shared layers against VMs, pull time against a VM image copy,
and the seeded 'which layers must be pulled?' practice. Hand-computed values, data read independently
of widgets.core.data, hostile inputs through the models and the widgets."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.layers import SIZES
from widgets.core.validate import ILLUSTRATIVE
from widgets.models.layers import (
    EXAMPLE_BASES,
    MEASURE,
    example_storage,
    pull_time,
)
from widgets.ui.layers import (
    PullCalculator,
    StorageCalculator,
    pull_figure,
    storage_figure,
    summarize_pull,
    summarize_storage,
)
from widgets.ui.theme import COLORS


def snapshot(calc):
    return [(list(tr.x), list(tr.y)) for tr in calc.figure.data], calc.summary.value


def test_three_images_on_one_base_by_hand():
    s = example_storage(n_python=3, n_nginx=0, n_alpine=0, app_mb=5, n_vms=3, guest_os_gb=2)
    assert float(SIZES["python_3.13-slim_compressed"]["size_mb"]) == 43.0
    assert s.shared_mb == pytest.approx(58)  # 43 + 3 × 5
    assert s.unshared_mb == pytest.approx(144)  # 3 × 48
    assert s.savings_pct == pytest.approx(59.72, abs=0.01)  # 1 - 58/144
    assert [(n, pytest.approx(t), pytest.approx(a)) for n, t, a in s.per_image] == [
        ("service 1 on python:3.13-slim", 48, 48),
        ("service 2 on python:3.13-slim", 48, 5),
        ("service 3 on python:3.13-slim", 48, 5),
    ]
    assert s.segments[0][:3] == ("python:3.13-slim base layer", 43.0, pytest.approx(129))
    assert s.segments[1][:3] == ("app and upper layers", pytest.approx(15), pytest.approx(15))
    assert s.vm_os_mb == 6000 and s.vm_app_mb == pytest.approx(15) and s.vm_mb == pytest.approx(6015)  # 3 × 2005
    assert s.measure == MEASURE == "compressed"
    assert summarize_storage(s) == (
        "Sharing base layers, the 3 container images store 58.0 MB of compressed layers instead of 144.0 MB "
        "(59.7% less); 3 VMs each with its own guest-OS disk of 2 GB (illustrative assumption, set your own) "
        "store 6,015.0 MB."
    )


def test_linked_clones_let_vms_share_the_os_disk():
    s = example_storage(n_python=3, n_nginx=0, n_alpine=0, app_mb=5, n_vms=3, guest_os_gb=2, linked_clones=True)
    assert s.vm_os_mb == 2000 and s.vm_mb == pytest.approx(2015)  # one base disk + 3 × 5 MB
    assert "sharing one base OS disk (linked clones)" in summarize_storage(s)


def test_storage_figure_shows_base_segments_and_totals():
    s = example_storage()
    fig = storage_figure(s)
    *cont, vm_os, vm_app = fig.data
    assert [tr.name for tr in cont] == [seg[0] for seg in s.segments]
    assert sum(tr.y[0] for tr in cont) == pytest.approx(s.shared_mb)
    assert sum(tr.y[1] for tr in cont) == pytest.approx(s.unshared_mb)
    assert vm_os.y[0] + vm_app.y[0] == pytest.approx(s.vm_mb) and vm_os.x[0] == "VMs"
    assert {tr.marker.color for tr in cont} == {COLORS["container"]}
    assert vm_os.marker.color == vm_app.marker.color == COLORS["vm"]
    assert len({tr.marker.pattern.shape for tr in cont}) == len(cont)  # base layers visible as segments
    assert "MB" in fig.layout.yaxis.title.text and "compressed" in fig.layout.yaxis.title.text
    assert [a.text for a in fig.layout.annotations] == ["139.9 MB", "289.0 MB", "12,030.0 MB"]
    assert fig.layout.barmode == "stack" and fig.layout.title.text


def test_pull_summary_and_figure():
    p = pull_time()
    assert summarize_pull(p) == (
        "Pulling your app on python:3.13-slim onto your host (no layer cached) moves 48.0 MB in 3.84 s at "
        "100 Mbit/s (illustrative assumption, set your own); copying a 2 GB VM image at the 10.9 MB/s measured "
        "for EC2 (M. Mao 2012) takes 3.06 min."
    )
    fig = pull_figure(pull_time(already_present=["python:3.13-slim"]))
    bars = fig.data[0]
    assert list(bars.y) == [
        "container image, cold host",
        "container image, base layers cached",
        "container image, your host",
        "VM image copy",
    ]
    assert list(bars.x) == pytest.approx([3.84, 0.4, 0.4, 2000 / 10.9])
    assert list(bars.marker.color) == [COLORS["container"]] * 3 + [COLORS["vm"]]
    assert "M. Mao 2012" in bars.customdata[3] and ILLUSTRATIVE in bars.customdata[0]
    assert fig.layout.xaxis.title.text == "time (s)"


def test_storage_widget_starts_redraws_and_toggles():
    calc = StorageCalculator()
    assert calc.error is None and calc.last_exception is None and "cvm-storage" in calc._dom_classes
    assert calc.result == example_storage()
    assert ILLUSTRATIVE in calc.controls["guest_os_gb"].tooltip and ILLUSTRATIVE in calc.children[0].value
    calc.controls["linked_clones"].value = True
    assert calc.figure.data[-2].y[0] == 2000 and "linked clones" in calc.figure.data[-2].name
    calc.controls["n_nginx"].value = 0
    assert calc.result.shared_mb == pytest.approx(43 + 3.8 + 4 * 5)
    assert [tr.name for tr in calc.figure.data[:4]] == [
        "python:3.13-slim base layer",
        "alpine:latest base layer",
        "app and upper layers",
        "",
    ]
    for key in EXAMPLE_BASES:
        calc.controls[key].value = 0
    assert calc.error == "choose at least one service" and calc.last_exception is None
    calc.controls["n_alpine"].value = 2
    assert calc.error is None and calc.result.unshared_mb == pytest.approx(2 * 8.8)


@pytest.mark.parametrize("arg", ["app_mb", "guest_os_gb"])
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_storage_widget_hostile_text_keeps_last_good_figure(arg, text):
    calc = StorageCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    name = {"app_mb": "app layer size", "guest_os_gb": "guest OS size"}[arg]
    assert calc.error and calc.error.startswith(name), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


def test_pull_widget_starts_and_redraws():
    calc = PullCalculator()
    assert calc.error is None and calc.last_exception is None and "cvm-pull" in calc._dom_classes
    assert calc.result == pull_time()
    calc.controls["already_present"].value = ("python:3.13-slim",)
    assert list(calc.figure.data[0].x)[2] == pytest.approx(0.4)
    calc.controls["vm_rate"].value = "azure"
    assert list(calc.figure.data[0].x)[3] == pytest.approx(2000 / 1.1)
    calc.controls["image"].value = "nginx:latest"
    assert list(calc.figure.data[0].x)[0] == pytest.approx(5.048)
    assert [o[1] for o in calc.controls["vm_rate"].options] == ["ec2", "azure", "rackspace"]


@pytest.mark.parametrize(
    ("arg", "name"), [("bandwidth_mbit_s", "bandwidth"), ("vm_image_gb", "VM image size"), ("app_mb", "app layer size")]
)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_pull_widget_hostile_text_keeps_last_good_figure(arg, name, text):
    calc = PullCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name), calc.error
    assert "last valid input" in calc.status.value and snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and snapshot(calc) == before


def test_pull_widget_zero_bandwidth_is_refused_then_recovers():
    calc = PullCalculator()
    calc.controls["bandwidth_mbit_s"].value = "0"
    assert calc.error == "bandwidth must not be zero" and calc.last_exception is None
    calc.controls["bandwidth_mbit_s"].value = "1000"
    assert calc.error is None and list(calc.figure.data[0].x)[0] == pytest.approx(0.384)
