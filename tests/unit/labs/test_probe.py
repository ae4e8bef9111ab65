"""'Where am I running?' and the capability probe, on fake and real systems."""

from __future__ import annotations

import html
import platform
from pathlib import Path

import pytest

from tests.unit.support.probe import ENVIRONMENTS, EXPECTED, evidence_set, materialise, this_machine
from widgets.labs import capabilities
from widgets.labs.base import Capability, use_live
from widgets.labs.probe import record, recorded_machine, where_am_i
from widgets.models import probe

CPU_VM = "processor: 0\nflags\t\t: fpu vme sse2 hypervisor avx\n"
CPU_METAL = "processor: 0\nflags\t\t: fpu vme sse2 avx vmx\n"
LIVE_ROOT = "20 1 0:20 / / rw - overlay overlay rw,lowerdir=/run/live/fs.squashfs,upperdir=/run/live/rw\n"


def fake_root(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = tmp_path / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def rule_ids(env) -> set[str]:
    return {e.rule for e in env.evidence if e.points_to != "none"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_environment_is_recognised_from_its_recording_and_its_files(name, tmp_path):
    kind, hypervisor, engine = EXPECTED[name]
    recorded = evidence_set(name)
    for env in (
        where_am_i(recording=recorded),
        where_am_i(materialise(tmp_path, recorded), environ=recorded.get("environ", {}), system="Linux"),
    ):
        assert env.kind == kind, env.report()
        assert hypervisor in env.hypervisor and engine in env.engine, env.headline
        assert (hypervisor == "") is (env.hypervisor == "") and (engine == "") is (env.engine == "")


def test_docker_on_cgroup_v2_is_found_although_proc_1_cgroup_reads_root():
    env = where_am_i(recording=ENVIRONMENTS["Docker on cgroup v2"])
    assert env.kind == "container" and env.engine == "Docker"
    assert {"engine-mounts", "overlay-root-engine", "cgroup-namespace"} <= rule_ids(env)
    assert "cgroup-path" not in rule_ids(env)  # /proc/1/cgroup reads 0::/ inside a cgroup namespace


def test_the_build_machine_is_a_micro_vm_with_a_stray_dockerenv():
    recorded = this_machine()
    env = where_am_i(recording=recorded)
    assert env.kind == "vm" and env.hypervisor == "Firecracker (KVM)" and env.engine == ""
    marker = next(e for e in env.evidence if e.rule == "dockerenv")
    assert marker.points_to == "container" and marker.strength == "weak"
    assert any("container image" in c for c in env.caveats)
    # An ordinary user cannot read the ACPI tables: kvm-clock and the command line still name it.
    learner = {**recorded, "files": {k: v for k, v in recorded["files"].items() if "acpi" not in k}}
    assert where_am_i(recording=learner).hypervisor == "Firecracker (KVM)"


def test_outdated_traces_decide_nothing(tmp_path):
    # A host PID in /proc/1/sched proved nothing after Linux 4.14 and is not read any more.
    root = fake_root(tmp_path, {"/proc/1/sched": "python3 (48213, #threads: 1)\n"})
    assert where_am_i(root, environ={}, system="Linux").kind == "unknown"
    # A live USB system has an overlay root too: a weak hint, no verdict.
    live = fake_root(tmp_path / "live", {"/proc/cpuinfo": CPU_METAL, "/proc/self/mountinfo": LIVE_ROOT})
    env = where_am_i(live, environ={}, system="Linux")
    assert env.kind == "bare-metal" and any("container hint" in c for c in env.caveats)


def test_ec2_metal_is_bare_metal_and_wsl1_is_no_vm(tmp_path):
    metal = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "Amazon EC2\n",
            "/sys/class/dmi/id/product_name": "m5.metal\n",
        },
    )
    env = where_am_i(metal, environ={}, system="Linux")
    assert env.kind == "bare-metal" and any(e.rule == "dmi-metal" for e in env.evidence)
    wsl1 = fake_root(tmp_path / "wsl1", {"/proc/sys/kernel/osrelease": "4.4.0-19041-Microsoft\n"})
    env = where_am_i(wsl1, environ={}, system="Linux")
    assert env.kind == "bare-metal" and "WSL 1" in env.report()


def test_container_variable_names_the_manager_and_oci_names_none(tmp_path):
    root = fake_root(tmp_path, {"/proc/cpuinfo": CPU_VM})
    env = where_am_i(root, environ={"container": "podman"}, system="Linux")
    assert env.kind == "container-in-vm" and env.engine == "Podman"
    assert env.report().startswith("Verdict: a container inside a virtual machine") and "$container" in env.report()
    oci = where_am_i(root, environ={"container": "oci"}, system="Linux")
    assert oci.kind == "container-in-vm" and oci.engine == ""


def test_a_recording_keeps_only_what_the_rules_read(tmp_path):
    root = fake_root(
        tmp_path,
        {
            "/proc/cpuinfo": "processor: 0\nflags\t\t: fpu hypervisor\nmodel name: Secret CPU\n",
            "/proc/cmdline": "root=/dev/vda console=ttyS0 secret=1 virtio_mmio.device=4K@0xd0000000:5\n",
            "/proc/self/mountinfo": LIVE_ROOT + "30 1 0:30 / /home rw - ext4 /dev/sdb rw\n",
            "/proc/1/environ": "container=lxc\0TOKEN=abc\0",
            "/proc/1/comm": "my-app\n",
        },
    )
    kept = record(root, environ={"container": "lxc", "HOME": "/root"})
    files = kept["files"]
    assert "Secret" not in files["/proc/cpuinfo"] and files["/proc/cmdline"] == "virtio_mmio.device=4K@0xd0000000:5"
    assert "/home" not in files["/proc/self/mountinfo"] and files["/proc/1/environ"] == "container=lxc"
    assert files["/proc/1/comm"] == "" and kept["environ"] == {"container": "lxc"}
    assert where_am_i(recording=kept).kind == where_am_i(root, environ={"container": "lxc"}, system="Linux").kind


def test_no_proc_no_sys_never_crashes(tmp_path):
    env = where_am_i(tmp_path, environ={}, system="Linux")
    assert env.kind == "unknown" and env.caveats
    env = where_am_i(tmp_path, environ={}, system="Plan9")
    assert env.kind == "unknown"


def test_every_rule_has_a_source_and_the_lesson_table_shows_them_all():
    table = probe.rules_html()
    for r in probe.RULES:
        assert r.cite and r.why and r.strength in ("strong", "weak") and html.escape(r.trace) in table
    assert len({r.id for r in probe.RULES}) == len(probe.RULES)


def test_this_machine_gives_a_verdict():
    env = where_am_i()
    assert env.kind in probe.KINDS
    if platform.system() == "Linux":
        assert env.evidence, "Linux exposes /proc: some evidence must be found"
    env, label = recorded_machine()
    assert env.kind == "vm" and "2026-12-03" in label


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
