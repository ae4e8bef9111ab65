"""'Where am I running?' and the capability probe, on fake and real systems."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from widgets.labs import capabilities
from widgets.labs.base import Capability, use_live
from widgets.labs.probe import where_am_i
from widgets.models import probe


def fake_root(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp_path / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


CPU_VM = "processor: 0\nflags\t\t: fpu vme sse2 hypervisor avx\n"


CPU_METAL = "processor: 0\nflags\t\t: fpu vme sse2 avx vmx\n"


def test_bare_metal_laptop(tmp_path):
    root = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "LENOVO\n",
            "/sys/class/dmi/id/product_name": "21CF\n",
            "/proc/1/cgroup": "0::/init.scope\n",
            "/proc/1/sched": "systemd (1, #threads: 1)\n",
        },
    )
    env = where_am_i(root, environ={}, system="Linux")
    assert env.kind == "bare-metal"
    assert any("hide themselves" in c for c in env.caveats)


def test_kvm_guest_named_by_firmware(tmp_path):
    root = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": CPU_VM,
            "/sys/class/dmi/id/sys_vendor": "QEMU\n",
            "/sys/class/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n",
            "/sys/devices/system/clocksource/clocksource0/current_clocksource": "kvm-clock\n",
        },
    )
    env = where_am_i(root, environ={}, system="Linux")
    assert env.kind == "vm"
    assert env.hypervisor.startswith("QEMU/KVM")
    assert "virtual machine" in env.headline


def test_docker_container_in_a_vm(tmp_path):
    root = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": CPU_VM,
            "/sys/class/dmi/id/sys_vendor": "Amazon EC2\n",
            "/proc/1/cgroup": "12:pids:/docker/3f2a9c\n0::/docker/3f2a9c\n",
            "/.dockerenv": "",
        },
    )
    env = where_am_i(root, environ={}, system="Linux")
    assert env.kind == "container-in-vm"
    assert env.engine == "Docker" and "AWS" in env.hypervisor


def test_kubernetes_pod_by_environment_and_pid_namespace(tmp_path):
    root = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": CPU_METAL,
            "/proc/1/sched": "python3 (48213, #threads: 1)\n",
        },
    )
    env = where_am_i(root, environ={"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, system="Linux")
    assert env.kind == "container"
    assert "Kubernetes" in env.headline
    assert any(e.source == "/proc/1/sched" and e.points_to == "container" for e in env.evidence)


def test_marker_file_alone_is_only_weak(tmp_path):
    root = fake_root(tmp_path, {"/proc/cpuinfo": CPU_VM, "/.dockerenv": "", "/proc/1/cgroup": "0::/\n"})
    env = where_am_i(root, environ={}, system="Linux")
    assert env.kind == "vm"
    assert any("container image" in c for c in env.caveats)


def test_wsl2_and_firecracker_hints(tmp_path):
    root = fake_root(
        tmp_path, {"/proc/version": "Linux version 5.15.90.1-microsoft-standard-WSL2\n", "/proc/cpuinfo": CPU_VM}
    )
    assert "WSL2" in where_am_i(root, environ={}, system="Linux").hypervisor
    root2 = fake_root(tmp_path / "fc", {"/proc/cmdline": "console=ttyS0 virtio_mmio.device=4K@0xd0000000:5\n"})
    env = where_am_i(root2, environ={}, system="Linux")
    assert env.kind == "vm" and "micro-VM" in env.hypervisor


def test_no_proc_no_sys_never_crashes(tmp_path):
    env = where_am_i(tmp_path, environ={}, system="Linux")
    assert env.kind == "unknown" and env.caveats
    env = where_am_i(tmp_path, environ={}, system="Plan9")
    assert env.kind == "unknown"


def test_report_lists_every_piece_of_evidence(tmp_path):
    root = fake_root(tmp_path, {"/proc/cpuinfo": CPU_VM})
    report = where_am_i(root, environ={"container": "podman"}, system="Linux").report()
    assert report.startswith("Verdict: a container inside a virtual machine")
    assert "/proc/cpuinfo" in report and "$container" in report


def test_this_machine_gives_a_verdict():
    env = where_am_i()
    assert env.kind in probe.KINDS
    if platform.system() == "Linux":
        assert env.evidence, "Linux exposes /proc: some evidence must be found"


def test_capabilities_never_raise_and_explain(tmp_path):
    caps = capabilities.capabilities()
    assert {c.name for c in caps} == {"KVM", "user namespaces", "cgroups"}
    for cap in caps:
        assert cap.detail
        if not cap.available:
            assert cap.how_to_enable or "probe failed" not in cap.detail
    # A system without /sys/fs/cgroup or /proc: read-only explanations, no crash.
    fake = capabilities.capabilities(root=tmp_path, system="Darwin")
    by_name = {c.name: c for c in fake}
    assert not by_name["user namespaces"].available and "Linux" in by_name["user namespaces"].detail
    assert not by_name["cgroups"].available


def test_cgroup_versions_on_fake_trees(tmp_path):
    v2 = fake_root(
        tmp_path / "v2",
        {
            "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
            "/proc/self/mounts": "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n",
            "/proc/self/cgroup": "0::/user.slice/session-1.scope\n",
        },
    )
    cap = capabilities._cgroups(v2, "Linux")
    assert "v2" in cap.detail and not cap.available and "systemd-run" in cap.how_to_enable
    v1 = fake_root(
        tmp_path / "v1",
        {
            "/sys/fs/cgroup/pids/tasks": "",
            "/sys/fs/cgroup/memory/tasks": "",
            "/proc/self/mounts": "cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n"
            "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n",
            "/proc/self/cgroup": "2:pids:/\n1:memory:/\n",
        },
    )
    cap = capabilities._cgroups(v1, "Linux")
    assert "v1" in cap.detail
    none = capabilities._cgroups(tmp_path / "empty", "Linux")
    assert not none.available and "cgroup" in none.detail


def test_userns_switches_off(tmp_path):
    root = fake_root(tmp_path, {"/proc/sys/user/max_user_namespaces": "0\n"})
    cap = capabilities._userns(root, "Linux")
    assert not cap.available and "max_user_namespaces is 0" in cap.detail


@pytest.mark.parametrize(
    ("live", "available", "expect_live", "words"),
    [
        ("off", True, False, "live='off'"),
        ("auto", True, True, "Live on this machine"),
        ("auto", False, False, "Showing the fallback"),
        ("on", False, False, "live='on' was asked for"),
    ],
)
def test_use_live(live, available, expect_live, words):
    cap = Capability("KVM", available, "a reason", "how")
    ok, message = use_live(live, cap)
    assert ok is expect_live and words in message


def test_use_live_rejects_unknown_mode():
    with pytest.raises(ValueError, match="live must be one of auto, on, off"):
        use_live("sometimes", Capability("KVM", True, "r"))
