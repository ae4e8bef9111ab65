"""The weighing of evidence into a verdict, and the names it gives."""

from __future__ import annotations

import pytest

from widgets.models.probe import Evidence, classify, engine_name, evidence, hypervisor_name


def test_classify_rules_directly():
    vm = Evidence("x", "y", "vm")
    ct = Evidence("x", "y", "container", name="Podman")
    none = Evidence("x", "y", "none")
    assert classify([none]).kind == "bare-metal"
    assert classify([vm]).kind == "vm"
    assert classify([ct]).kind == "container"
    assert classify([vm, ct]).kind == "container-in-vm"
    assert classify([]).kind == "unknown"
    assert "Podman" in classify([ct]).headline


def test_weak_evidence_alone_never_decides():
    marker = evidence("dockerenv", "Docker's marker file exists", "Docker")
    virtio = evidence("virtio-pci", "3 of 4 PCI devices are virtio devices")
    env = classify([Evidence("/proc/cpuinfo", "no flag", "none"), marker, virtio])
    assert env.kind == "bare-metal" and env.engine == "" and env.hypervisor == ""
    assert any("container image" in c for c in env.caveats) and any("VM hint" in c for c in env.caveats)
    assert marker.strength == "weak" and marker.rule == "dockerenv" and "18355" in marker.cite


def test_names_are_combined_from_the_most_specific():
    assert hypervisor_name(["KVM", "Firecracker"]) == "Firecracker (KVM)"
    assert hypervisor_name(["Hyper-V", "Hyper-V (WSL 2)"]) == "Hyper-V (WSL 2)"
    assert hypervisor_name(["Amazon EC2 (Nitro, KVM-based)", "KVM"]) == "Amazon EC2 (Nitro, KVM-based)"
    assert hypervisor_name(["VMware", "KVM"]) == "VMware / KVM"  # disagreeing evidence is shown as it is
    assert engine_name(["containerd", "Kubernetes"]) == "Kubernetes (containerd)"
    assert engine_name(["Podman", "Kubernetes"]) == "Kubernetes (CRI-O)"  # CRI-O shares Podman's storage
    assert engine_name(["Docker", "Docker"]) == "Docker"


def test_evidence_must_say_what_it_points_to():
    with pytest.raises(ValueError, match="points to one of vm, container, none"):
        Evidence("x", "y", "cloud")
    with pytest.raises(KeyError, match="no probe rule"):
        evidence("proc-1-sched", "a host PID")
