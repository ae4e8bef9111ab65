"""VM sizing: hand-computed cases, data-derived overheads, hostile inputs through
the model and through the widget, "does not fit", and the binding resource."""

from __future__ import annotations

import re

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.sizing import NUMERIC
from widgets.models.sizing import hypervisor_options, size_vms


def test_defaults_are_the_hand_case():
    assert size_vms() == size_vms(2, 4, 20, 0.5, 10, "qemu", 32, 128, 2000, 1, 2, 100)


def test_memory_binds_on_a_host_with_more_cores():
    s = size_vms(host_cores=64)  # CPU 64 // 2 = 32 > memory 27
    assert s.per_host == 27 and s.binding == "memory" and s.hosts == 4  # ceil(100 / 27)
    assert s.mem_free_gib == pytest.approx(126 - 27 * 4.6220032573)  # 1.206 GiB


def test_disk_binds_on_a_host_with_a_small_disk():
    s = size_vms(host_disk_gb=300)  # 300 // 30 = 10
    assert s.per_host == 10 and s.binding == "disk" and s.hosts == 10


def test_rounding_up_vcpus_and_memory():
    s = size_vms(app_vcpu=0.3, app_memory_gib=3.2, guest_os_memory_gib=0.5, hypervisor="none")
    assert s.vm_vcpu == 1 and s.vm_memory_gib == 4.0  # 3.7 GiB rounded up to 4.0
    # memory 126 // 4 = 31; CPU 32 // 1 = 32 -> memory binds; 0.3 GiB unused per VM
    assert s.per_host == 31 and s.binding == "memory"
    assert s.mem_rounding_gib == pytest.approx(31 * 0.3)
    assert size_vms(app_memory_gib=1.1, guest_os_memory_gib=0.4).vm_memory_gib == 1.5  # exact: no step up
    assert size_vms(app_vcpu=2.0000001).vm_vcpu == 3


def test_float_noise_does_not_lose_a_vm():
    # 1.4 - 0.4 = 0.9999999999999999 in floats, and 0.9999999999999999 / 0.5 = 1.9999999999999998:
    # by hand, 1 GiB offered holds two 0.5 GiB VMs.
    s = size_vms(
        app_vcpu=0.25,
        app_memory_gib=0.1,
        guest_os_memory_gib=0.4,
        hypervisor="none",
        host_cores=64,
        host_memory_gib=1.4,
        host_reserved_memory_gib=0.4,
    )
    assert s.vm_memory_gib == 0.5 and s.per_host == 2 and s.binding == "memory"
    # 1.9 - 0.9 = 0.9999999999999999: a 1 GiB VM still fits exactly
    one = size_vms(
        app_memory_gib=0.6,
        guest_os_memory_gib=0.4,
        hypervisor="none",
        host_memory_gib=1.9,
        host_reserved_memory_gib=0.9,
    )
    assert one.per_host == 1 and one.mem_free_gib == 0


def test_cpu_overcommit():
    s = size_vms(app_vcpu=3, host_cores=8, cpu_overcommit=2.5, hypervisor="none")
    assert s.cpu_capacity == 20 and s.per_host == 6 and s.binding == "CPU"  # 8 * 2.5 = 20 vCPUs; 20 // 3 = 6
    assert s.vcpus_used == 18 and s.vcpus_free == 2


def test_hypervisor_labels_come_from_the_data():
    assert hypervisor_options() == [
        ("QEMU/KVM (about 131 MB per VM, secondary)", "qemu"),
        ("Firecracker (at most 5 MiB per VM)", "firecracker"),
        ("none", "none"),
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"app_memory_gib": 71.5, "host_memory_gib": 64, "hypervisor": "none"},
            "one VM needs 72 GiB of memory but the host offers 62 GiB after its reserve",
        ),
        (
            {"app_memory_gib": 71.5, "host_memory_gib": 64},
            "one VM needs 72.12 GiB of memory (with 0.122 GiB hypervisor overhead) but the host offers 62 GiB "
            "after its reserve",
        ),
        ({"app_vcpu": 8, "host_cores": 4}, "one VM needs 8 vCPUs but the host offers 4 (4 cores × overcommit 1)"),
        ({"app_vcpu": 8, "host_cores": 4, "cpu_overcommit": 1.5}, "host offers 6 (4 cores × overcommit 1.5)"),
        ({"app_disk_gb": 1000, "host_disk_gb": 500}, "one VM needs 1010 GB of disk but the host has 500 GB"),
        ({"host_reserved_memory_gib": 128}, "host reserve (128 GiB) must be less than host memory (128 GiB)"),
    ],
)
def test_does_not_fit(values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        size_vms(**values)


def test_exactly_fitting_vm_fits():
    s = size_vms(app_vcpu=4, app_memory_gib=5.5, host_cores=4, host_memory_gib=8, hypervisor="none")
    assert s.per_host == 1 and s.mem_free_gib == 0  # 5.5 + 0.5 = 6 = 8 - 2


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_values(arg, name, whole, zero_ok, value, words):
    with pytest.raises(ValueError, match=words) as info:
        size_vms(**{arg: value})
    assert str(info.value).startswith(name + " "), str(info.value)


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), NUMERIC)
def test_model_zero_and_fractions(arg, name, whole, zero_ok):
    if zero_ok:
        size_vms(**{arg: 0})
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(name)} must be at least"):
            size_vms(**{arg: 0})
    if whole:
        with pytest.raises(ValueError, match=f"^{re.escape(name)} must be a whole number, got 2.5"):
            size_vms(**{arg: 2.5})


@pytest.mark.parametrize(
    ("arg", "text", "expected"),
    [
        ("host_memory_gib", " 64 ", 64.0),
        ("host_cores", "16", 16),
        ("n_workloads", "1e3", 1000),
    ],
)
def test_model_accepts_numeric_text(arg, text, expected):
    s = size_vms(**{arg: text})
    assert {"host_memory_gib": s.host_memory_gib, "host_cores": s.cpu_capacity, "n_workloads": s.n_workloads}[
        arg
    ] == expected


@pytest.mark.parametrize("value", ["kvm", "", None, ["qemu"], "QEMU", 1])
def test_model_refuses_unknown_hypervisor(value):
    with pytest.raises(ValueError, match="^hypervisor overhead must be one of qemu, firecracker, none"):
        size_vms(hypervisor=value)
