"""VM sizing: hand-computed cases, data-derived overheads, hostile inputs through
the model and through the widget, "does not fit", and the binding resource."""

from __future__ import annotations

import csv

import pytest

from tests.hostile import HOSTILE_TEXT
from tests.unit.support.sizing import NUMERIC
from widgets.core import data
from widgets.core.validate import ILLUSTRATIVE, defaults_of
from widgets.models.sizing import MEMORY_SEGMENTS, size_vms
from widgets.models.sizing import size_vms as _model
from widgets.ui.sizing import SizingCalculator, details, figure, note, summarize

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


# Hand arithmetic: 131 MB = 131 * 10**6 bytes; 1 GiB = 2**30 bytes; 5 MiB = 5 * 2**20 bytes.
QEMU_GIB = 131e6 / 1_073_741_824  # 0.12200325727...


FIRECRACKER_GIB = 5 / 1024  # 0.0048828125


def read_csv(name: str) -> dict[str, dict[str, str]]:
    """A data file read with the csv module alone (independent of widgets.core.data)."""
    with open(data.data_dir() / name, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def snapshot(calc):
    return [list(t.x) for t in calc.figure.data], calc.summary.value, calc.detail.value


def test_default_case_by_hand():
    # app 2 vCPU / 4 GiB / 20 GB + guest OS 0.5 GiB / 10 GB -> VM 2 vCPU / 4.5 GiB / 30 GB;
    # 32-core / 128 GiB / 2000 GB host, 2 GiB reserved, QEMU 131 MB per VM, no overcommit.
    s = size_vms(
        app_vcpu=2,
        app_memory_gib=4,
        app_disk_gb=20,
        guest_os_memory_gib=0.5,
        guest_os_disk_gb=10,
        hypervisor="qemu",
        host_cores=32,
        host_memory_gib=128,
        host_disk_gb=2000,
        cpu_overcommit=1,
        host_reserved_memory_gib=2,
        n_workloads=100,
    )
    assert (s.vm_vcpu, s.vm_memory_gib, s.vm_disk_gb) == (2, 4.5, 30)
    # CPU 32 // 2 = 16; memory 126 // 4.622 = 27 (27 * 4.622 = 124.8 <= 126 < 129.4); disk 2000 // 30 = 66.
    assert dict(s.limits) == {"CPU": 16, "memory": 27, "disk": 66}
    assert s.per_host == 16 and s.binding == "CPU"
    assert s.hosts == 7  # ceil(100 / 16)
    assert s.hypervisor_gib == pytest.approx(0.1220032573, rel=1e-9)
    assert s.mem_app_gib == 64 and s.mem_guest_os_gib == 8 and s.mem_rounding_gib == 0
    assert s.mem_hypervisor_gib == pytest.approx(16 * 0.1220032573)
    assert s.mem_reserved_gib == 2
    assert s.mem_free_gib == pytest.approx(128 - 2 - 16 * 4.6220032573)  # 52.048
    assert sum(s.memory_breakdown.values()) == pytest.approx(128)
    assert s.overhead_share == pytest.approx((0.5 + 0.1220032573) / 4.6220032573)  # 13.5 %
    assert s.cpu_capacity == 32 and s.vcpus_used == 32 and s.vcpus_free == 0
    assert summarize(s) == (
        "16 VMs fit on this host (CPU binds); guest OSes and the hypervisor use 13% of "
        "the memory in use; 7 hosts for 100 workloads."
    )


def test_overhead_share_without_hypervisor_and_with_firecracker():
    none = size_vms(hypervisor="none")
    assert none.overhead_share == pytest.approx(0.5 / 4.5) and none.mem_hypervisor_gib == 0
    assert none.hypervisor_cite == "" and "guest OSes use 11%" in summarize(none)
    fc = size_vms(hypervisor="firecracker", host_cores=64)
    assert fc.hypervisor_gib == FIRECRACKER_GIB
    assert fc.per_host == 27  # 126 // 4.5048828125 = 27.97 -> 27
    assert fc.overhead_share == pytest.approx((0.5 + FIRECRACKER_GIB) / (4.5 + FIRECRACKER_GIB))
    # without any overhead 126 // 4.5 = 28: the hypervisor costs one VM per host here
    assert size_vms(hypervisor="none", host_cores=64).per_host == 28


def test_one_vm_and_one_workload_read_in_the_singular():
    s = size_vms(app_vcpu=32, app_memory_gib=100, n_workloads=1)
    assert summarize(s).startswith("1 VM fits on this host") and "1 host for 1 workload." in summarize(s)


def test_overheads_equal_the_csv_values_and_are_cited():
    rows = read_csv("firecracker_spec.csv")
    qemu, fc = rows["nsdi_memory_overhead_qemu"], rows["fc_vmm_memory_overhead"]
    assert (qemu["value"], qemu["unit"], qemu["confidence"]) == ("131", "MB", "secondary")
    assert (fc["value"], fc["unit"], fc["bound"]) == ("5", "MiB", "upper")
    assert size_vms(hypervisor="qemu").hypervisor_gib == float(qemu["value"]) * 10**6 / 2**30 == QEMU_GIB
    assert size_vms(hypervisor="firecracker").hypervisor_gib == float(fc["value"]) * 2**20 / 2**30

    table = data.load("firecracker_spec")
    for key, row_id in (("qemu", "nsdi_memory_overhead_qemu"), ("firecracker", "fc_vmm_memory_overhead")):
        s = size_vms(hypervisor=key)
        cite = table.cite(table.row(id=row_id))
        assert s.hypervisor_cite == cite and cite in note(s)
        assert s.hypervisor_source == table.source(table.row(id=row_id)).citation()
    assert size_vms(hypervisor="qemu").hypervisor_cite.endswith("secondary")


def test_figure_shows_title_axes_citation_and_assumption():
    s = size_vms()
    fig = figure(s)
    assert fig.layout.title.text and "(GiB)" in fig.layout.xaxis.title.text
    assert "vCPUs" in fig.layout.xaxis2.title.text
    assert [t.name for t in fig.data[: len(MEMORY_SEGMENTS)]] == [label for _, label in MEMORY_SEGMENTS]
    assert [t.x[0] for t in fig.data[: len(MEMORY_SEGMENTS)]] == list(s.memory_breakdown.values())
    assert fig.data[-2].x == (32,) and fig.data[-1].x == (0,)
    text = details(s)  # the notes live under the figure, not inside it
    assert s.hypervisor_cite in text and ILLUSTRATIVE in text


def test_widget_starts_with_the_defaults_and_labels_them():
    calc = SizingCalculator()
    assert calc.error is None and calc.last_exception is None
    assert calc.result == size_vms()
    assert "cvm-sizing" in calc._dom_classes and calc.name == "sizing"
    assert calc.summary.value.startswith("16 VMs fit on this host (CPU binds)")
    assert ILLUSTRATIVE in calc.children[0].value
    assert ILLUSTRATIVE in calc.controls["guest_os_memory_gib"].tooltip
    assert "0.5" in calc.controls["guest_os_memory_gib"].tooltip
    assert calc.result.hypervisor_cite in calc.detail.value
    assert set(calc.controls) == set(DEFAULTS)


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), [n for n in NUMERIC if n[0] != "cpu_overcommit"])
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_widget_hostile_text_keeps_last_good_figure(arg, name, whole, zero_ok, text):
    calc = SizingCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name + " "), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before
    assert calc.last_exception is None
    calc.controls[arg].value = good  # recovers
    assert calc.error is None and calc.status.value == ""
    assert snapshot(calc) == before and calc.result == size_vms()


def test_widget_overcommit_slider():
    calc = SizingCalculator()
    before = snapshot(calc)
    calc.controls["cpu_overcommit"].value = float("nan")  # a slider passes NaN on
    assert calc.error.startswith("CPU overcommit is not a number") and snapshot(calc) == before
    assert calc.last_exception is None
    calc.controls["cpu_overcommit"].value = 100  # the slider clamps to its maximum, 8
    assert calc.error is None and calc.result.cpu_capacity == 256
    assert calc.result.binding == "memory"


def test_widget_binding_switches_with_the_host():
    calc = SizingCalculator()
    assert calc.result.binding == "CPU"
    calc.controls["host_cores"].value = "64"
    assert calc.result.binding == "memory" and "(memory binds)" in calc.summary.value
    calc.controls["host_disk_gb"].value = "300"
    assert calc.result.binding == "disk" and calc.result.per_host == 10
    calc.controls["host_disk_gb"].value = "2000"
    calc.controls["host_memory_gib"].value = "512"
    assert calc.result.binding == "CPU" and calc.result.per_host == 32
    assert list(calc.figure.data[0].x) == [32 * 4.0]  # app memory of 32 VMs


def test_widget_does_not_fit_keeps_last_good_figure():
    calc = SizingCalculator()
    calc.controls["hypervisor"].value = "none"
    calc.controls["host_memory_gib"].value = "64"
    before = snapshot(calc)
    calc.controls["app_memory_gib"].value = "71.5"
    assert calc.error == "one VM needs 72 GiB of memory but the host offers 62 GiB after its reserve"
    assert "last valid input" in calc.status.value and snapshot(calc) == before
    assert calc.last_exception is None
    calc.controls["host_memory_gib"].value = "128"
    assert calc.error is None and calc.result.per_host == 1 and calc.result.binding == "memory"


def test_widget_hypervisor_choice_redraws_with_its_citation():
    calc = SizingCalculator(host_cores=64)
    assert calc.result.per_host == 27
    calc.controls["hypervisor"].value = "firecracker"
    hv = calc.figure.data[3]
    assert hv.name == "hypervisor overhead" and list(hv.x) == [27 * FIRECRACKER_GIB]
    assert "Firecracker maintainers" in calc.detail.value
    calc.controls["hypervisor"].value = "none"
    assert calc.result.per_host == 28 and list(calc.figure.data[3].x) == [0]
    assert "No hypervisor overhead" in calc.detail.value


def test_widget_refuses_unknown_keyword():
    with pytest.raises(ValueError, match="unknown input"):
        SizingCalculator(host_ram=64)
