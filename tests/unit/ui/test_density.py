"""Instances per host: hand-worked density arithmetic, the binding resource, unit
conversions of the cited overheads (MiB, MB, bytes, millicores), secondary
labels, hostile inputs through the model and through the widget."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.density import ALL, NUMERIC
from widgets.core import data
from widgets.core.validate import ILLUSTRATIVE, defaults_of
from widgets.models.density import density, platform_options
from widgets.models.density import density as _model
from widgets.ui.density import DensityCalculator, density_figure, details, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


def snapshot(calc):
    return [(list(t.x), list(t.y)) for t in calc.figure.data], calc.summary.value, calc.detail.value


def test_nothing_fits_is_a_count_of_zero():
    d = density(host_memory_gib=1, app_memory_mib=1000, platforms=["qemu", "runc"])
    assert d.fit("qemu").count == 0 and d.fit("qemu").binding == "memory" and d.fit("runc").count == 1
    assert "VM (QEMU) 0 (memory binds; overhead secondary)" in summarize(d)


def test_secondary_rows_are_labelled_everywhere():
    d = density(platforms=ALL)
    secondary = {f.key for f in d.fits if f.secondary}
    assert secondary == {"qemu", "cloud-hypervisor"}
    for f in d.fits:
        assert f.cite.endswith("secondary") == (f.key in secondary)
        assert f.overhead_text.endswith("secondary") == (f.key in secondary)
    text = summarize(d)
    assert "VM (QEMU) 73 (memory binds; overhead secondary)" in text
    assert "microVM (Firecracker) 84 (memory binds)," in text
    fig = density_figure(d)
    assert [c[2] for c in fig.data[0].customdata] == [f.cite for f in d.fits]
    assert "source: %{customdata[2]}" in fig.data[0].hovertemplate
    table = data.load("firecracker_spec")
    assert table.cite(table.row(id="nsdi_memory_overhead_qemu")) in details(d)
    assert "secondary" in platform_options()[0][0]


def test_figure_counts_binding_colours_and_stack():
    d = density(platforms=["qemu", "firecracker", "runc", "gvisor"])
    fig = density_figure(d)
    bars = fig.data[0]
    assert list(bars.y) == [73, 84, 127, 122] and "memory binds" in bars.text[0]
    assert list(bars.marker.color) == [COLORS[k] for k in ("vm", "microvm", "container", "sandbox")]
    app, guest, vmm = fig.data[1:]
    assert list(app.y) == [512] * 4 and list(guest.y) == [256, 256, 0, 0]
    assert vmm.y[1] == 5 and [t.name for t in fig.data[1:]] == ["application", "guest OS", "VMM / runtime overhead"]
    assert fig.layout.yaxis.title.text == "instances per host (count)"
    assert "(MiB)" in fig.layout.yaxis2.title.text and fig.layout.barmode == "stack"


def test_widget_starts_with_the_defaults_and_labels_them():
    calc = DensityCalculator()
    assert calc.error is None and calc.last_exception is None and calc.result == density()
    assert "cvm-density" in calc._dom_classes and set(calc.controls) == set(DEFAULTS)
    assert ILLUSTRATIVE in calc.children[0].value and ILLUSTRATIVE in calc.controls["guest_os_memory_mib"].tooltip
    assert calc.summary.value.startswith("Instances per host: VM (QEMU) 73")
    assert "Firecracker" in calc.detail.value and ILLUSTRATIVE in calc.detail.value


@pytest.mark.parametrize(("arg", "name", "zero_ok"), NUMERIC)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_widget_hostile_text_keeps_last_good_figure(arg, name, zero_ok, text):
    calc = DensityCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good  # recovers
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


def test_widget_binding_switch_and_platform_choice():
    calc = DensityCalculator()
    calc.controls["app_cpu"].value = "1"
    assert all(f.binding == "CPU" for f in calc.result.fits) and "CPU binds" in calc.figure.data[0].text[0]
    before = snapshot(calc)
    calc.controls["platforms"].value = ()
    assert "choose at least one platform" in calc.error and snapshot(calc) == before
    calc.controls["platforms"].value = ("kata-fc", "runc")
    assert calc.error is None and list(calc.figure.data[0].x) == ["Kata pod (Firecracker)", "container (runc)"]
    assert calc.last_exception is None


def test_widget_app_bigger_than_host_keeps_figure():
    calc = DensityCalculator(host_memory_gib=1)
    before = snapshot(calc)
    calc.controls["app_memory_mib"].value = "2048"
    assert calc.error.startswith("app memory (2048) must not be greater than host memory")
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls["host_memory_gib"].value = "4"
    assert calc.error is None and calc.result.fit("runc").count == 1


def test_widget_refuses_unknown_keyword():
    with pytest.raises(ValueError, match="unknown input"):
        DensityCalculator(ram=64)
