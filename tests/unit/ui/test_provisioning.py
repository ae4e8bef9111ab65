"""Provisioning timeline: hand-computed stages, the measured transfer rates and
published totals from data/, hostile inputs through the model and the widget,
the platform preset and the time axis."""

from __future__ import annotations

import math
import re

import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.provisioning import NUMERIC, read_csv
from widgets.core.validate import ILLUSTRATIVE
from widgets.models.provisioning import PLATFORMS, STAGES, preset, provision_timeline
from widgets.models.rates import CUSTOM
from widgets.ui.provisioning import ProvisioningCalculator, figure, note, summarize


def durations(t):
    return [s for _, s, _, _ in t.stages]


def snapshot(calc):
    return (
        [list(tr.x) for tr in calc.figure.data],
        list(calc.figure.data[0].base),
        calc.summary.value,
        calc.figure.layout.xaxis.range,
    )


def test_default_timeline_by_hand():
    t = provision_timeline(api_s=5, image_size_mb=500, rate="ec2", boot_s=20, services_s=10, health_s=5)
    transfer = 500 / 10.9  # 45.87 s
    assert [n for n, _, _, _ in t.stages] == list(STAGES)
    assert durations(t) == pytest.approx([5, transfer, 20, 10, 5])
    assert t.total_s == pytest.approx(40 + transfer)  # 85.87 s
    assert t.starts == pytest.approx((0, 5, 5 + transfer, 25 + transfer, 35 + transfer))
    assert t.dominant == ("image transfer to the host", pytest.approx(transfer))
    assert [c for _, _, c, _ in t.stages] == [False] * 5  # no stage duration comes wholly from data
    assert summarize(t) == (
        "Image transfer to the host dominates: 45.9 s of the 85.9 s total, at the "
        "10.9 MB/s measured for EC2 in the 2012 study. The nearest published total is "
        "EC2 Linux m1.small, 96.9 s (M. Mao 2012)."
    )
    assert provision_timeline() == t  # the defaults are the cloud-VM preset


def test_other_measured_rates_and_a_custom_rate():
    azure = provision_timeline(image_size_mb=110, rate="azure")
    assert durations(azure)[1] == pytest.approx(100)  # 110 MB / 1.1 MB/s
    rack = provision_timeline(image_size_mb=450, rate="rackspace")
    assert durations(rack)[1] == pytest.approx(20)  # 450 MB / 22.5 MB/s
    mine = provision_timeline(image_size_mb=500, rate=CUSTOM, custom_rate_mb_s="50")
    assert durations(mine)[1] == 10 and mine.rate_cite == "" and "your 50 MB/s" in mine.stages[1][3]
    slow = provision_timeline(image_size_mb=500, rate=CUSTOM, custom_rate_mb_s=2)
    # 500 / 2 = 250 s = 4.17 min of 290 s = 4.83 min
    assert summarize(slow).startswith(
        "Image transfer to the host dominates: 4.17 min of the 4.83 min total, "
        "at your 2 MB/s. The nearest published total is EC2 Windows m1.small"
    )


def test_another_stage_can_dominate():
    t = provision_timeline(image_size_mb=0, boot_s=30)
    assert durations(t)[1] == 0 and "already on the host" in t.stages[1][3]
    assert t.total_s == 50 and summarize(t).startswith("Guest boot to init dominates: 30 s of the 50 s total.")


def test_microvm_preset_uses_the_cited_firecracker_boot():
    values = preset("microvm")
    assert values == {"api_s": 0.05, "image_size_mb": 0, "boot_s": 0.125, "services_s": 0.5, "health_s": 0.1}
    t = provision_timeline(**values)
    assert t.total_s == pytest.approx(0.775)  # 0.05 + 0 + 0.125 + 0.5 + 0.1
    name, secs, cited, why = t.stages[2]
    assert (name, secs, cited) == ("guest boot to init", 0.125, True)
    assert "Firecracker maintainers" in why and "upper bound" in why
    assert [c for _, _, c, _ in t.stages] == [False, False, True, False, False]
    assert summarize(t).startswith("Services and application start dominates: 500 ms of the 775 ms total.")
    assert not provision_timeline(**{**values, "boot_s": 0.2}).stages[2][2]  # changed: no longer cited
    assert preset("cloud-vm") == {"api_s": 5, "image_size_mb": 500, "boot_s": 20, "services_s": 10, "health_s": 5}


def test_references_equal_the_csv_values_and_are_cited():
    rows = read_csv("startup_times.csv")
    t = provision_timeline()
    got = {r.subject: (r.seconds, r.cite) for r in t.references}
    expected = {
        "EC2 Linux m1.small": 96.9,
        "EC2 Windows m1.small": 810.2,
        "Rackspace Linux": 44.2,
        "Firecracker microVM boot to /sbin/init": 0.125,
        "docker run alpine true (runc)": 1.1931,
    }
    assert {k: v[0] for k, v in got.items()} == pytest.approx(expected)
    for row in rows.values():
        if row["subject"] in expected:
            assert float(row["value_ms"]) / 1000 == pytest.approx(got[row["subject"]][0])
    assert got["EC2 Linux m1.small"][1] == "M. Mao 2012"
    assert got["docker run alpine true (runc)"][1].startswith("gVisor authors")
    assert preset("microvm")["boot_s"] == float(rows["firecracker_boot_to_init"]["value_ms"]) / 1000
    text = note(t)
    assert all(r.cite in text for r in t.references) and ILLUSTRATIVE in text


def test_figure_is_a_log_timeline_with_cited_markers():
    t = provision_timeline()
    fig = figure(t)
    assert fig.layout.title.text and fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "time since the request (s, log scale)"
    stages, total, refs = fig.data
    assert list(stages.x) == pytest.approx(durations(t)) and list(stages.base) == pytest.approx(list(t.starts))
    assert list(stages.marker.pattern.shape) == ["/"] * 5  # hatched = illustrative
    assert list(total.x) == pytest.approx([t.total_s])
    assert list(refs.x) == pytest.approx([r.seconds for r in t.references])
    assert [c[1] for c in refs.customdata] == [r.cite for r in t.references]
    lo, hi = fig.layout.xaxis.range
    assert 10**lo < 0.125 and 10**hi > 810.2
    assert fig.layout.shapes[0].x0 == pytest.approx(t.total_s)
    micro = figure(provision_timeline(**preset("microvm")))
    assert list(micro.data[0].marker.pattern.shape) == ["/", "/", "", "/", "/"]  # solid = cited


@pytest.mark.parametrize("value", ["laptop", None])
def test_unknown_preset_is_refused(value):
    with pytest.raises(ValueError, match="^platform must be one of"):
        preset(value)
    with pytest.raises(ValueError, match="^platform must be one of"):
        ProvisioningCalculator(platform=value)


def test_widget_starts_with_the_preset_and_labels_assumptions():
    calc = ProvisioningCalculator()
    assert calc.error is None and calc.last_exception is None and calc.name == "provisioning"
    assert "cvm-provisioning" in calc._dom_classes
    assert calc.result == provision_timeline()
    assert calc.summary.value.startswith("Image transfer to the host dominates")
    assert ILLUSTRATIVE in calc.controls["api_s"].tooltip and ILLUSTRATIVE in calc.children[1].value
    assert "illustrative" in calc.detail.value and "M. Mao 2012" in calc.detail.value
    assert calc.controls["custom_rate_mb_s"].disabled


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_widget_hostile_text_keeps_last_good_figure(arg, name, text):
    calc = ProvisioningCalculator(rate=CUSTOM)
    assert not calc.controls["custom_rate_mb_s"].disabled
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before
    assert calc.last_exception is None
    calc.controls[arg].value = good  # recovers
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


def test_widget_rate_change_redraws_and_custom_toggles():
    calc = ProvisioningCalculator()
    calc.controls["image_size_mb"].value = "110"
    calc.controls["rate"].value = "azure"
    assert list(calc.figure.data[0].x)[1] == pytest.approx(100)
    calc.controls["rate"].value = CUSTOM
    assert not calc.controls["custom_rate_mb_s"].disabled
    calc.controls["custom_rate_mb_s"].value = "11"
    assert list(calc.figure.data[0].x)[1] == pytest.approx(10)
    calc.controls["custom_rate_mb_s"].value = "0"
    assert re.match("custom transfer rate must not be zero", calc.error)
    calc.controls["rate"].value = "ec2"  # the bad custom value no longer matters
    assert calc.error is None and calc.controls["custom_rate_mb_s"].disabled


def test_widget_platform_preset_sets_the_stages_in_one_update():
    calc = ProvisioningCalculator()
    updates = calc.updates
    calc.platform.value = "microvm"
    assert calc.updates == updates + 1 and calc.error is None
    assert calc.controls["boot_s"].value == "0.125" and calc.controls["image_size_mb"].value == "0"
    assert calc.result.total_s == pytest.approx(0.775) and calc.result.stages[2][2]
    assert list(calc.figure.data[0].marker.pattern.shape) == ["/", "/", "", "/", "/"]
    calc.controls["boot_s"].value = "abc"  # a bad value, then the preset resets it
    assert calc.error.startswith("boot time")
    calc.platform.value = "cloud-vm"
    assert calc.error is None and calc.result == provision_timeline()
    assert set(PLATFORMS) == {"cloud-vm", "microvm"}


def test_widget_time_axis_toggle_changes_only_the_view():
    calc = ProvisioningCalculator()
    data_before = [list(tr.x) for tr in calc.figure.data]
    calc.axis.value = "linear"
    assert calc.figure.layout.xaxis.type == "linear"
    assert calc.figure.layout.xaxis.range == pytest.approx((0, 810.2 * 1.12))
    assert "log" not in calc.figure.layout.xaxis.title.text
    calc.controls["api_s"].value = "6"  # a redraw keeps the linear range
    assert calc.figure.layout.xaxis.range[0] == 0
    calc.axis.value = "log"
    assert calc.figure.layout.xaxis.type == "log" and calc.figure.layout.xaxis.range[0] < math.log10(0.125)
    assert list(calc.figure.data[1].x) == pytest.approx([data_before[1][0] + 1])  # api 5 s -> 6 s
    assert list(calc.figure.data[2].x) == data_before[2]  # published totals unchanged
