"""Lesson 00's prediction of the probe: the verdict and the deciding evidence, with misconceptions named."""

from __future__ import annotations

import pytest

from widgets.learning import predict
from widgets.learning.whereami import EVIDENCE, VERDICTS, check_evidence, check_verdict
from widgets.models.probe import Evidence, classify, evidence

FIRECRACKER = classify(
    [
        evidence("cpu-hypervisor-flag", "the CPU reports the 'hypervisor' flag"),
        evidence("virtio-mmio", "the kernel command line mentions Firecracker", "Firecracker"),
        Evidence("/proc/1/cgroup", "PID 1 is at the root of the cgroup tree", "none", rule="cgroup-root"),
        evidence("dockerenv", "Docker's marker file exists", "Docker"),
    ]
)
POD_IN_VM = classify(
    [
        evidence("cpu-hypervisor-flag", "the CPU reports the 'hypervisor' flag"),
        evidence("cgroup-path", "we live in cgroup '/kubepods/burstable/pod7d…'", "Kubernetes"),
    ]
)
LAPTOP = classify([Evidence("/proc/cpuinfo", "no 'hypervisor' CPU flag", "none", rule="cpu-hypervisor-flag")])


@pytest.fixture(autouse=True)
def _fresh_journal(monkeypatch):
    monkeypatch.setattr(predict, "_JOURNAL", predict.Journal())


def test_the_verdict_right_and_wrong():
    assert FIRECRACKER.kind == "vm" and POD_IN_VM.kind == "container-in-vm" and LAPTOP.kind == "bare-metal"
    assert check_verdict("vm", FIRECRACKER).correct
    fb = check_verdict("container", FIRECRACKER)
    assert not fb.correct and "/.dockerenv" in fb.message and "Weak hints that decide nothing" in fb.message
    fb = check_verdict("container", POD_IN_VM)
    assert not fb.correct and "runs in a VM" in fb.message
    fb = check_verdict("vm", LAPTOP)
    assert not fb.correct and "not proof" in fb.message
    for truth in (FIRECRACKER, POD_IN_VM, LAPTOP):
        for wrong in VERDICTS:
            if wrong != truth.kind:
                assert "common mistake" in check_verdict(wrong, truth).message, (wrong, truth.kind)


def test_the_evidence_any_deciding_kind_counts():
    assert check_evidence("cpu flag", FIRECRACKER).correct
    assert check_evidence("Cgroup", POD_IN_VM).correct and check_evidence("cpu flag", POD_IN_VM).correct
    assert check_evidence("nothing", LAPTOP).correct
    fb = check_evidence("marker file", FIRECRACKER)
    assert not fb.correct and "weak evidence" in fb.message and "proves a container" in fb.message
    fb = check_evidence("cgroup", FIRECRACKER)
    assert not fb.correct and "No container engine left a trace" in fb.message
    assert "no cgroup namespace" in fb.message and "PID 1 is in no engine's cgroup" not in fb.message
    fb = check_evidence("nothing", FIRECRACKER)
    assert not fb.correct and "Strong evidence was found: cpu flag" in fb.message
    fb = check_evidence("firmware", LAPTOP)
    assert not fb.correct and "hypervisor" in fb.message
    assert set(EVIDENCE) >= {"cpu flag", "cgroup", "marker file", "nothing"}


@pytest.mark.parametrize("answer", [..., None, " "])
def test_no_prediction_yet(answer):
    assert check_verdict(answer, FIRECRACKER).status == "missing"
    assert check_evidence(answer, FIRECRACKER).status == "missing"


@pytest.mark.parametrize("answer", [3, "a VM", ["vm"], True])
def test_wrong_types_and_unknown_options_say_what_was_expected(answer):
    fb = check_verdict(answer, FIRECRACKER)
    assert fb.status == "incorrect" and "must be one of" in fb.message and "'container-in-vm'" in fb.message
    fb = check_evidence(answer, FIRECRACKER)
    assert fb.status == "incorrect" and "must be one of" in fb.message and "'marker file'" in fb.message


def test_evidence_without_a_rule_still_counts_in_its_direction():
    mac_vm = classify([Evidence("sysctl kern.hv_vmm_present", "1: macOS runs under a hypervisor", "vm")])
    assert mac_vm.kind == "vm"
    assert check_evidence("cpu flag", mac_vm).correct
    assert not check_evidence("nothing", mac_vm).correct
    by_hand = classify([Evidence("a note", "an engine's socket is mounted", "container")])
    assert check_evidence("mounts", by_hand).correct and not check_evidence("firmware", by_hand).correct
