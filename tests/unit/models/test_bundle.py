"""The OCI runtime config.json: written for the course's image, and checked field by field."""

from __future__ import annotations

import copy

import pytest

from widgets.models import bundle


def test_a_written_config_checks_back_into_the_same_plan():
    cfg = bundle.make_config(
        ["/bin/hello", "eat"],
        "box",
        1000,
        1000,
        ["unshare", "uname"],
        memory_mib=32,
        cpu_quota=0.2,
        cgroups_path="/cvm-x",
    )
    plan = bundle.check_config(cfg)
    assert plan.args == ("/bin/hello", "eat") and plan.hostname == "box" and plan.uid_map == ((0, 1000, 1),)
    assert set(plan.namespaces) == set(bundle.NAMESPACES) and plan.no_new_privileges
    assert (
        plan.capabilities["bounding"] == bundle.docker_default_capabilities()
        and len(plan.capabilities["bounding"]) == 14
    )
    assert plan.seccomp.deny == {"uname": 63, "unshare": 272}
    assert (plan.memory_bytes, plan.cpu_quota_us, plan.cpu_period_us) == (32 * 2**20, 20_000, 100_000)
    assert cfg["linux"]["cgroupsPath"] == "/cvm-x" and cfg["ociVersion"] == "1.0.2"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["process"].pop("args"), "process.args is missing"),
        (lambda c: c["process"].update(args=["hello"]), r"process.args\[0\] must be an absolute path"),
        (lambda c: c.update(ociVersion="2.0"), "ociVersion"),
        (lambda c: c["root"].update(path="../x"), "root.path"),
        (lambda c: c.update(hostname="Bad_Name"), "hostname"),
        (lambda c: c["linux"].update(namespaces=[{"type": "pid"}]), "must include 'user'"),
        (lambda c: c["linux"]["namespaces"].append({"type": "time"}), r"namespaces\[7\].type 'time'"),
        (lambda c: c["mounts"].append({"destination": "/sys", "type": "sysfs"}), r"mounts\[2\].type 'sysfs'"),
        (lambda c: c["process"]["capabilities"].update(bounding=["CAP_FLY"]), "capabilities.bounding"),
        (lambda c: c["linux"]["seccomp"]["syscalls"][0].update(names=["nosuchcall"]), "linux.seccomp"),
        (lambda c: c["linux"].update(resources={"memory": {"limit": 1024}}), "memory.limit"),
        (lambda c: c["linux"].update(uidMappings=[{"containerID": 0}]), r"uidMappings\[0\]"),
    ],
)
def test_a_bad_config_names_the_field(change, message):
    cfg = copy.deepcopy(bundle.make_config())
    change(cfg)
    with pytest.raises(ValueError, match=message) as err:
        bundle.check_config(cfg)
    assert str(err.value).startswith("config.json")


def test_bad_inputs_name_the_input():
    for kwargs, name in (
        (dict(args="x"), "args"),
        (dict(memory_mib=1), "memory_mib"),
        (dict(cpu_quota=2), "cpu_quota"),
        (dict(deny=["x y z"]), "deny"),
        (dict(capabilities=["NOPE"]), "capabilities"),
        (dict(cgroups_path="rel"), "cgroups_path"),
        (dict(uid=-1), "uid"),
    ):
        with pytest.raises(ValueError, match=name):
            bundle.make_config(**kwargs)
    with pytest.raises(ValueError, match="JSON object"):
        bundle.check_config([])
