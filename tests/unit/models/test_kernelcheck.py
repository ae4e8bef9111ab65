"""Lesson 05's kernel check: version parsing, feature sets by hand, the calculator through its widget,
the CVE timeline and table, and the hardening checklist with its seeded practice."""

from __future__ import annotations

import re

import pytest

import widgets
from widgets.models import kernel as kernel_model
from widgets.models.hardening import HARDENING, unavailable

EXAMPLE = "5.15 or 5.15.0-91-generic"


NS6 = {"mount", "uts", "ipc", "user", "pid", "network"}


# version: (namespace types, cgroups v1, pids controller, cgroups v2, seccomp-BPF, seccomp(), unprivileged userns)
BY_HAND = {
    "2.6.32": (NS6, True, False, False, False, False, False),
    "3.10": (NS6, True, False, False, True, False, True),
    "4.4": (NS6, True, True, False, True, True, True),
    "4.19": (NS6 | {"cgroup"}, True, True, True, True, True, True),
    "5.4": (NS6 | {"cgroup"}, True, True, True, True, True, True),
    "5.15": (NS6 | {"cgroup", "time"}, True, True, True, True, True, True),
    "6.1": (NS6 | {"cgroup", "time"}, True, True, True, True, True, True),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.1", (6, 1, 0)),
        ("5.15.0-91-generic", (5, 15, 0)),
        ("4.19.0", (4, 19, 0)),
        (" 3.10 ", (3, 10, 0)),
        ("6.18.44-fc-v669", (6, 18, 44)),
        ("2.6.32-754.el6.x86_64", (2, 6, 32)),
        ("v6.1", (6, 1, 0)),
        ("2.6.32.27", (2, 6, 32)),
        ("5.15.167.4-microsoft-standard-WSL2", (5, 15, 167)),
        ("6.1-rc3", (6, 1, 0)),
    ],
)
def test_parse_accepts_real_version_strings(text, expected):
    assert kernel_model.parse_kernel_version(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "6",
        "6.x",
        "6.1.x",
        "5 15",
        "6..1",
        "6.1rc3",
        "1e30",
        "-5",
        "x" * 70,
        "<script>alert(1)</script>",
    ],
)
def test_parse_refuses_garbage_text_and_says_what_to_type(text):
    with pytest.raises(ValueError, match="kernel version") as err:
        kernel_model.parse_kernel_version(text)
    assert EXAMPLE in str(err.value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "must be text"),
        (6.1, "6.1 and 6.10 are the same"),
        (6, "must be text"),
        (True, "bool True"),
        ([6, 1], "must be text"),
        (float("nan"), "must be text"),
        ("100.1", "major number must be between 1 and 99"),
        ("0.12", "major number must be between 1"),
        ("6.1000", "minor number must be between 0 and 999"),
        ("6.1.100000", "patch number"),
    ],
)
def test_parse_refuses_non_text_and_out_of_range(value, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        kernel_model.parse_kernel_version(value)


@pytest.mark.parametrize("version", BY_HAND)
def test_feature_sets_by_hand(version):
    ns, v1, pids, v2, bpf, call, unpriv = BY_HAND[version]
    r = kernel_model.kernel_features(version)
    assert set(r.namespaces) == ns
    assert (r.has("cgroups-v1"), r.has("cgroups-v1-pids"), r.has("cgroups-v2")) == (v1, pids, v2)
    assert (r.has("seccomp-strict"), r.has("seccomp-bpf"), r.has("seccomp-syscall")) == (True, bpf, call)
    assert r.has("userns-unprivileged") == unpriv
    not_protections = {"cgroups-v2-devel", "seccomp-syscall"}
    assert {f.key for f in r.missing} == {f.key for f in r.features if not f.present} - not_protections


def test_what_the_kernel_check_counts():
    three_ten = kernel_model.kernel_features("3.10")
    # seccomp-BPF filters work through prctl since 3.5: a missing seccomp() call is no missing protection
    assert not three_ten.has("seccomp-syscall") and "seccomp-syscall" not in {f.key for f in three_ten.missing}
    # cgroups v2 is one feature, not two
    assert [f.key for f in kernel_model.feature_specs() if f.key.startswith("cgroups-v2") and f.lacks] == ["cgroups-v2"]
    # no pids controller before 4.3: --pids-limit cannot work on 3.10
    assert not three_ten.has("cgroups-v1-pids") and kernel_model.kernel_features("4.3").has("cgroups-v1-pids")
    assert unavailable(three_ten) == {"cgroup-limits": ("cgroups-v1-pids",)}
    assert unavailable(kernel_model.kernel_features("6.1")) == {}
    assert "--pids-limit" in next(m.measure for m in HARDENING if m.id == "cgroup-limits")


def test_a_version_number_alone_cannot_tell():
    el7 = kernel_model.kernel_features("3.10.0-1160.el7.x86_64")
    assert el7.vendor.startswith("Red Hat") and "backport" in el7.caveat and "pids controller" in el7.caveat
    assert kernel_model.kernel_features("5.15.0-91-generic").vendor == "Ubuntu"
    upstream = kernel_model.kernel_features("3.10")
    assert upstream.vendor == "" and "guide only" in upstream.caveat and "check the running system" in upstream.caveat


@pytest.mark.parametrize(
    ("version", "key", "present"),
    [
        ("2.6.22", "ns:user", False),
        ("2.6.23", "ns:user", True),
        ("3.7.10", "userns-unprivileged", False),
        ("3.8", "userns-unprivileged", True),
        ("3.4.113", "seccomp-bpf", False),
        ("3.5", "seccomp-bpf", True),
        ("4.4.302", "cgroups-v2", False),
        ("4.5", "cgroups-v2", True),
        ("4.5.7", "ns:cgroup", False),
        ("4.6", "ns:cgroup", True),
        ("5.5.19", "ns:time", False),
        ("5.6", "ns:time", True),
        ("2.6.24", "cgroups-v1", True),
        ("2.6.23", "cgroups-v1", False),
        ("2.4.18", "ns:mount", False),
    ],
)
def test_boundaries_are_the_data_versions(version, key, present):
    assert kernel_model.kernel_features(version).has(key) is present


def test_versions_come_from_both_data_files_and_agree():
    ns, kf = widgets.load("namespaces"), widgets.load("kernel_features")
    r = kernel_model.kernel_features("6.1")
    since = {f.key: f.since for f in r.features}
    assert {since[f"ns:{row['namespace']}"] for row in ns} == {row["kernel_version"] for row in ns}
    for name in ("cgroup", "time"):  # duplicated in both files: the versions must agree
        assert kf.row(feature=f"{name} namespace")["kernel_version"] == ns.row(namespace=name)["kernel_version"]
    assert since["userns-unprivileged"] == kf.row(feature="unprivileged user namespaces")["kernel_version"] == "3.8"
    assert "unprivileged processes can create user namespaces starting in 3.8" in ns.row(namespace="user")["note"]
    assert all("Kerrisk" in f.cite for f in r.features)
