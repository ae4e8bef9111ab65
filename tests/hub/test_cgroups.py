"""Per-learner cgroups (hub/cgroups.py) on recorded trees of cgroup v1 and v2, and the hub's sentence when
limits cannot be enforced. The live v1 path is exercised by the isolation tests on a real hub."""

from __future__ import annotations

import pytest

from hub import cgroups


def fake_v1(root):
    for c in cgroups.V1_CONTROLLERS:
        (root / c).mkdir(parents=True)
        (root / c / "cgroup.procs").write_text("")
    (root / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712")
    (root / "unified").mkdir()
    return root


def fake_v2(root, controllers="cpuset cpu io memory pids"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "cgroup.controllers").write_text(controllers)
    (root / "cgroup.subtree_control").write_text("")
    return root


def test_parse_size():
    assert cgroups.parse_size("1G") == 2**30
    assert cgroups.parse_size("750M") == 750 * 2**20
    assert cgroups.parse_size("512MiB") == 512 * 2**20
    assert cgroups.parse_size("none") is None and cgroups.parse_size("") is None
    with pytest.raises(ValueError, match="not a memory size"):
        cgroups.parse_size("lots")


def test_v1_limits_are_written(tmp_path):
    support = cgroups.detect(fake_v1(tmp_path / "cg"), "cvm-hub")
    assert support.version == "v1" and support.enforced and "hybrid" in support.reason
    group = cgroups.LearnerCgroup(support, "cvm-ann")
    d = group.dirs()
    for c in ("memory", "pids", "cpu"):  # a real kernel makes these files; the recording has to
        d[c].mkdir(parents=True)
    (d["memory"] / "memory.memsw.limit_in_bytes").write_text("")
    joins = group.create(cgroups.Limits(memory_bytes=2**30, cpus=1.5, pids=512))
    assert (d["memory"] / "memory.limit_in_bytes").read_text() == str(2**30)
    assert (d["memory"] / "memory.memsw.limit_in_bytes").read_text() == str(2**30)
    assert (d["pids"] / "pids.max").read_text() == "512"
    assert (d["cpu"] / "cpu.cfs_quota_us").read_text() == "150000"
    assert sorted(p.parent.parent.parent.name for p in joins) == sorted(cgroups.V1_CONTROLLERS)
    assert group.view == "v1:memory,pids,cpu,cpuacct"


def test_v2_limits_are_written(tmp_path):
    root = fake_v2(tmp_path / "cg")
    support = cgroups.detect(root, "cvm-hub")
    assert support.version == "v2"
    group = cgroups.LearnerCgroup(support, "cvm-ann")
    (root / "cvm-hub").mkdir()
    (root / "cvm-hub" / "cgroup.subtree_control").write_text("")
    group.dirs()["unified"].mkdir()
    (group.dirs()["unified"] / "memory.swap.max").write_text("max")
    group.create(cgroups.Limits(memory_bytes=2**30, cpus=None, pids=256))
    u = group.dirs()["unified"]
    assert (u / "memory.max").read_text() == str(2**30)
    assert (u / "memory.swap.max").read_text() == "0"
    assert (u / "pids.max").read_text() == "256"
    assert (u / "cpu.max").read_text() == "max 100000"
    assert (root / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert group.view == "v2"


def test_no_cgroups_says_so_clearly(tmp_path):
    support = cgroups.detect(tmp_path / "missing")
    assert not support.enforced
    text = support.describe(cgroups.Limits(memory_bytes=2**30))
    assert text.startswith("Per-learner limits are NOT enforced") and "does not exist" in text
    assert not cgroups.detect(fake_v2(tmp_path / "v2", "cpu pids")).enforced


def test_read_only_cgroups_say_so(tmp_path):
    import os

    root = fake_v1(tmp_path / "cg")
    os.chmod(root / "memory", 0o555)
    try:
        support = cgroups.detect(root)
        if os.geteuid() == 0:
            pytest.skip("root writes through the mode bits; the read-only case is checked as an ordinary user")
        assert not support.enforced and "not writable" in support.reason
    finally:
        os.chmod(root / "memory", 0o755)


def test_learner_names_are_checked():
    support = cgroups.Support("v1", cgroups.Path("/nonexistent"), "cvm-hub", "")
    with pytest.raises(ValueError):
        cgroups.LearnerCgroup(support, "../escape")
