"""Instances per host: hand-worked density arithmetic, the binding resource, unit
conversions of the cited overheads (MiB, MB, bytes, millicores), secondary
labels, hostile inputs through the model and through the widget."""

from __future__ import annotations

import csv
import re

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.density import ALL, NUMERIC
from widgets.core import data
from widgets.models.density import DEFAULT_PLATFORMS, density, overhead


def read_csv(name: str) -> dict[str, dict[str, str]]:
    """A data file read with the csv module alone (independent of widgets.core.data)."""
    with open(data.data_dir() / name, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def test_hand_worked_microvm():
    # 64 GiB = 65,536 MiB; one microVM = 512 app + 256 guest OS + 5 VMM = 773 MiB; 65536 / 773 = 84.78 -> 84.
    d = density(
        host_cores=32,
        host_memory_gib=64,
        host_disk_gib=1000,
        app_memory_mib=512,
        app_cpu=0.25,
        app_disk_mib=200,
        guest_os_memory_mib=256,
        guest_os_disk_gib=2,
        platforms=["firecracker"],
    )
    f = d.fit("firecracker")
    assert f.memory_mib == 773 and f.count == 84 and f.binding == "memory"
    # CPU 32 / 0.25 = 128; disk 1000 / (200/1024 + 2) = 455.3 -> 455
    assert dict(f.limits) == {"CPU": 128, "memory": 84, "disk": 455}
    assert (f.app_mib, f.guest_os_mib, f.overhead_mib) == (512, 256, 5)
    assert f.overhead_share == pytest.approx(261 / 773)
    assert density() == density(32, 64, 1000, 512, 0.25, 200, 256, 2, list(DEFAULT_PLATFORMS))


def test_containers_carry_no_guest_os_and_fit_more():
    d = density(platforms=ALL)
    runc = d.fit("runc")
    # 4,092,149.76 bytes = 3.9026 MiB; 65536 / 515.9026 = 127.03 -> 127 (CPU allows 128)
    assert runc.guest_os_mib == 0 and runc.overhead_mib == pytest.approx(4092149.76 / 2**20)
    assert runc.count == 127 and runc.binding == "memory" and runc.disk_gib == pytest.approx(200 / 1024)
    gv = d.fit("gvisor")
    assert gv.overhead_mib == pytest.approx(23695032.32 / 2**20)  # 22.597 MiB
    assert gv.count == 65536 // (512 + 23695032.32 / 2**20) == 122
    qemu = d.fit("qemu")
    assert qemu.overhead_mib == pytest.approx(131e6 / 2**20)  # 124.93 MiB, not 131
    assert qemu.count == 73  # 65536 / 892.93 = 73.39
    assert d.fit("cloud-hypervisor").count == 83  # 65536 / (768 + 12.398) = 83.98


def test_kata_pod_overhead_includes_cpu():
    d = density(platforms=["kata-qemu", "kata-fc"])
    k = d.fit("kata-qemu")
    # podFixed: 160 MiB and 250 millicores = 0.25 cores; no guest OS input, image shared
    assert (k.overhead_mib, k.guest_os_mib, k.cpu_cores) == (160, 0, 0.5)
    assert k.count == 64 and k.binding == "CPU"  # 32 / 0.5 = 64 < 65536 / 672 = 97
    assert d.fit("kata-fc").memory_mib == 642 and "0.25 cores" in d.fit("kata-fc").overhead_text


def test_binding_switches_to_cpu_and_disk():
    d = density(app_cpu=1, platforms=["firecracker", "runc"])
    assert [(f.count, f.binding) for f in d.fits] == [(32, "CPU"), (32, "CPU")]
    d = density(host_disk_gib=50, platforms=["firecracker", "runc"])
    fc, runc = d.fits
    assert (fc.count, fc.binding) == (22, "disk")  # 50 / 2.1953 = 22.78
    assert (runc.count, runc.binding) == (127, "memory")  # a container carries no guest OS disk
    assert density(app_disk_mib=0, guest_os_disk_gib=0, platforms=["runc"]).fit("runc").limits == (
        ("CPU", 128),
        ("memory", 127),
    )  # nothing on disk: disk never binds


def test_exact_fit_is_not_lost_to_float_noise():
    # 7 cores / 0.07 cores per app = 99.99999999999999 in floats; by hand 100.
    d = density(host_cores=7, app_cpu=0.07, platforms=["runc"])
    assert dict(d.fit("runc").limits)["CPU"] == 100
    d = density(host_memory_gib=1, app_memory_mib=1019, guest_os_memory_mib=0, platforms=["firecracker"])
    assert d.fit("firecracker").count == 1  # 1019 + 5 = 1024 MiB: exactly one


def test_overheads_equal_the_csv_values_converted():
    fc, gv = read_csv("firecracker_spec.csv"), read_csv("gvisor_benchmarks.csv")
    assert (fc["nsdi_memory_overhead_qemu"]["unit"], gv["memory_sleep_runc"]["unit"]) == ("MB", "bytes")
    assert overhead("qemu")[0] == float(fc["nsdi_memory_overhead_qemu"]["value"]) * 1e6 / 2**20
    assert overhead("cloud-hypervisor")[0] == float(fc["nsdi_memory_overhead_cloud_hypervisor"]["value"]) * 1e6 / 2**20
    assert overhead("firecracker")[0] == float(fc["fc_vmm_memory_overhead"]["value"])  # already MiB
    assert overhead("kata-qemu")[:2] == (160.0, 0.25) and overhead("kata-fc")[:2] == (130.0, 0.25)
    assert overhead("runc")[0] == float(gv["memory_sleep_runc"]["value"]) / 2**20
    assert overhead("gvisor")[0] == float(gv["memory_sleep_runsc"]["value"]) / 2**20
    assert overhead("runc")[2] == "about 4.09 MB (3.9 MiB)"
    assert overhead("firecracker")[2] == "at most 5 MiB"


@pytest.mark.parametrize(("arg", "name", "zero_ok"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_values(arg, name, zero_ok, value, words):
    with pytest.raises(ValueError, match=words) as info:
        density(**{arg: value})
    assert str(info.value).startswith(name + " "), str(info.value)


@pytest.mark.parametrize(("arg", "name", "zero_ok"), NUMERIC)
def test_model_zero(arg, name, zero_ok):
    if zero_ok:
        density(**{arg: 0})
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(name)} must be at least"):
            density(**{arg: 0})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"app_memory_mib": 70_000}, "app memory (70000) must not be greater than host memory in MiB (65536)"),
        ({"app_cpu": 33}, "app CPU (33) must not be greater than host cores (32)"),
        ({"app_disk_mib": 2_000_000}, "app disk (2e+06) must not be greater than host disk in MiB (1.024e+06)"),
    ],
)
def test_app_larger_than_host(values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        density(**values)


@pytest.mark.parametrize(
    ("platforms", "words"),
    [
        ([], "choose at least one platform"),
        (["docker"], "platform must be one of"),
        ("runc", "must be a list"),
        (None, "must be a list"),
        ([1], "platform must be one of"),
    ],
)
def test_bad_platforms(platforms, words):
    with pytest.raises(ValueError, match=words):
        density(platforms=platforms)
