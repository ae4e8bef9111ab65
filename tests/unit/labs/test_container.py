"""The whole container: lesson 03's image in its own root, every stage checked; faults; the fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.procs import processes_with, wait_until_gone
from tests.unit.support.runtime import NO_USERNS
from widgets.labs import container, limits, oci, overlay, runtime
from widgets.labs.cgroups import detect
from widgets.models import bundle
from widgets.models.oci import OciError

live = pytest.mark.skipif(bool(NO_USERNS), reason=NO_USERNS or "-")


def cgroup_dirs() -> list[Path]:
    return sorted(Path("/sys/fs/cgroup").rglob(f"{limits.NAME}*"))


@live
@pytest.mark.live
def test_the_image_runs_in_its_own_root_with_pid_1_and_its_hostname():
    run = container.whole_container(hostname="box-1", live="on")
    assert run.live and run.ok, [c for c in run.checks if not c.passed]
    assert "pid: 1\nhostname: box-1\n/: " in run.output and run.exit == {"code": 0}
    assert run.stage("root filesystem")["after"]["/"] == ["bin", "dev", "etc", "proc"]
    assert run.stage("user namespace")["after"]["chown to 1:1 (not mapped)"] == "EINVAL"  # a single-id map
    caps = run.stage("capabilities")
    assert caps["before"]["sethostname (CAP_SYS_ADMIN)"] == "allowed" != caps["after"]["sethostname (CAP_SYS_ADMIN)"]
    assert caps["after"]["raw ICMP socket (CAP_NET_RAW)"] == "allowed"  # Docker's default set keeps NET_RAW
    assert not wait_until_gone(lambda: processes_with(runtime.MARKER), 10)


@live
@pytest.mark.live
def test_the_filter_stops_exactly_the_named_calls_and_the_program_shows_it():
    run = container.whole_container(deny="uname socket", live="on")
    sec = run.stage("seccomp")
    assert run.ok and sec["after"]["uname"] == sec["after"]["socket"] == "EPERM"
    assert all(v == sec["before"][k] for k, v in sec["after"].items() if k not in ("uname", "socket", "Seccomp"))
    assert "hostname: error 1" in run.output  # the program's own uname is refused with EPERM


@live
@pytest.mark.live
def test_writing_into_the_image_copies_up_into_the_upper_directory_only():
    run = container.whole_container("/etc/os-release", live="on")
    assert run.ok and "write /etc/os-release: ok" in run.output
    assert ("/etc/os-release", len("written inside the container\n")) in run.upper


@live
@pytest.mark.live
def test_limits_end_in_an_oom_kill_and_throttling_live_or_recorded():
    oom = container.whole_container("eat", memory_mib=16, live="auto")
    assert oom.ok and oom.exit == {"signal": 9} and oom.cgroup["counters"]["oom_kill"] >= 1
    slow = container.whole_container("spin", cpu_quota=0.1, live="auto")
    assert slow.ok and slow.cgroup["counters"]["nr_throttled"] > 0
    if limits.capability().available:
        assert oom.live and slow.live and not cgroup_dirs()
    else:
        assert "recorded on" in oom.why and "cgroup" in oom.why


def test_live_off_shows_the_labelled_recording_of_the_same_kind():
    for args, kw, scenario in (
        ((), {}, "report"),
        ("eat", {"memory_mib": 32}, "oom"),
        ("spin", {"cpu_quota": 0.2}, "throttle"),
    ):
        run = container.whole_container(args, live="off", **kw)
        assert not run.live and run.ok and "recorded on 2026-12-03" in run.why
        assert run.output == container.recorded(scenario).output
    assert "recording ran" in container.whole_container(hostname="other", live="off").why


def test_bad_inputs_are_refused_before_anything_runs():
    for kwargs, name in (
        ({"args": "../x"}, "args"),
        ({"args": ["a", "b"]}, "args"),
        ({"deny": "nosuch"}, "deny"),
        ({"memory_mib": 0}, "memory_mib"),
        ({"live": "maybe"}, "live"),
        ({"hostname": "-x"}, "hostname"),
    ):
        with pytest.raises(ValueError, match=name):
            container.whole_container(**kwargs)


def test_a_corrupted_layer_or_missing_blob_is_named_and_nothing_is_unpacked(tmp_path):
    with oci.lab() as image:
        blob = image.root / "blobs" / "sha256" / image.layers[1].digest[7:]
        blob.write_bytes(blob.read_bytes()[:-1] + b"!")
        with pytest.raises(OciError, match=r"does not match its digest.*layers'\]?\[1\]|layers'\[1\]"):
            overlay.unpack(image.root, tmp_path / "out")
        blob.unlink()
        with pytest.raises(OciError, match=f"blobs/sha256/{blob.name} does not exist"):
            overlay.unpack(image.root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_invalid_config_json_is_named_and_nothing_is_mounted(tmp_path):
    b = tmp_path / "bundle"
    (b / "rootfs").mkdir(parents=True)
    (b / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        runtime.run_bundle(b, None)
    cfg = bundle.make_config()
    cfg["process"]["args"] = []
    (b / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="config.json: process.args"):
        runtime.run_bundle(b, None)
    assert not list(tmp_path.glob("upper-*"))


def fake_v2(root: Path) -> Path:
    (root / "proc/self").mkdir(parents=True)
    (root / "proc/self/mounts").write_text("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")
    (root / "proc/self/cgroup").write_text("0::/user.slice/user-1000.slice/lab\n")
    lab = root / "sys/fs/cgroup/user.slice/user-1000.slice/lab"
    lab.mkdir(parents=True)
    (lab / "cgroup.subtree_control").write_text("cpu memory pids\n")
    return lab


def test_the_v2_code_path_on_a_fake_tree(tmp_path):
    lab = fake_v2(tmp_path)
    parents, why = limits.where(detect(tmp_path))
    assert parents == {"unified": lab} and "delegated" in why
    cg = limits.ContainerCgroup(detect(tmp_path), parents, name=limits.NAME + "test")
    cg.create(limits.Limits(32 * 2**20, 20_000, 100_000, 64))
    d = lab / cg.name
    assert (d / "memory.max").read_text() == str(32 * 2**20) and (d / "cpu.max").read_text() == "20000 100000"
    (d / "memory.events").write_text("low 0\nhigh 0\nmax 41\noom 1\noom_kill 1\noom_group_kill 0\n")
    (d / "memory.peak").write_text(str(32 * 2**20))
    (d / "cpu.stat").write_text("usage_usec 9\nnr_periods 10\nnr_throttled 8\nthrottled_usec 412345\n")
    c = cg.counters()
    assert (c.version, c.oom_kill, c.memory_max_hits, c.memory_peak, c.nr_throttled, c.throttled_usec) == (
        "v2",
        1,
        41,
        32 * 2**20,
        8,
        412345,
    )
    (lab / "cgroup.subtree_control").write_text("pids\n")
    assert limits.where(detect(tmp_path))[0] is None and not limits.capability(detect(tmp_path)).available


def test_the_v1_counters_are_read_from_recorded_files():
    rec = container.recorded("oom")
    assert rec.cgroup["version"] == "v1" and "oom_kill 1" in rec.cgroup["counters"]["files"]["memory.oom_control"]
    throttled = container.recorded("throttle").cgroup["counters"]
    assert throttled["nr_throttled"] > 0 and "throttled_time" in throttled["files"]["cpu.stat"]


def test_another_cpu_says_why_it_falls_back(monkeypatch):
    monkeypatch.setattr(container.platform, "machine", lambda: "riscv64")
    run = container.whole_container(live="auto")
    assert not run.live and "riscv64" in run.why and "x86-64 and aarch64" in run.why
