"""The namespace-set model: names checked, the rules of what a process sees, predictions checked."""

from __future__ import annotations

import itertools

import pytest

from widgets.models import nsview


def test_names_are_checked_and_put_in_canonical_order():
    assert nsview.check_namespaces(["net", "User", " pid ", "mnt"]) == ("mount", "network", "pid", "user")
    assert nsview.check_namespaces(("uts",)) == ("uts",)
    assert nsview.check_namespaces([]) == ()
    assert nsview.key({"pid", "user"}) == "pid,user"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("pid", "must be a list"),
        (b"pid", "must be a list"),
        ({"pid": 1}, "must be a list"),
        (3, "must be a list"),
        (None, "not set yet"),
        (..., "not set yet"),
        (["pid", "pid"], "listed twice"),
        (["pid", "mnt", "mount"], "listed twice"),
        (["pid", "docker"], "not a namespace type"),
        (["pid; rm -rf /"], "not a namespace type"),
        ([1], "a name in quotes"),
        ([None], "a name in quotes"),
    ],
)
def test_bad_lists_say_what_was_expected(bad, words):
    with pytest.raises(ValueError, match=words):
        nsview.check_namespaces(bad)


def test_without_a_user_namespace_an_ordinary_user_is_refused():
    for n in range(1, len(nsview.NAMES)):
        for names in itertools.combinations([x for x in nsview.NAMES if x != "user"], n):
            assert nsview.expected_view(names) == nsview.REFUSED
            assert nsview.expected_view(names, privileged=True) != nsview.REFUSED


def test_the_rules_of_each_field():
    assert nsview.expected_view([]) == dict.fromkeys(nsview.FIELDS, "host")
    full = nsview.expected_view(["user", "pid", "uts", "mount", "net"])
    assert full == {"pid": "1", "hostname": "container", "network": "lo only", "uid": "0", "processes": "own"}
    no_mount = nsview.expected_view(["user", "pid"])
    assert no_mount["pid"] == "1" and no_mount["processes"] == "host"  # PID 1, but the host's /proc
    assert nsview.expected_view(["user", "ipc", "cgroup", "time"]) == nsview.expected_view(["user"])
    assert nsview.expected_view(["user"])["uid"] == "0"


def test_view_of_a_report():
    report = {
        "pid": 1,
        "hostname": "course-container",
        "host_hostname": "laptop",
        "interfaces": ["lo"],
        "ns": {"net": "net:[2]"},
        "host_ns": {"net": "net:[1]"},
        "uid": 0,
        "pids": [1],
    }
    assert nsview.view_of(report, "course-container") == nsview.expected_view(["user", "pid", "uts", "mount", "net"])
    host = report | {"pid": 4242, "hostname": "laptop", "ns": {"net": "net:[1]"}, "uid": 1000, "pids": [1, 2, 3]}
    assert nsview.view_of(host, "course-container") == dict.fromkeys(nsview.FIELDS, "host")
    assert nsview.view_of({"refused": "EPERM"}, "x") == nsview.REFUSED


def test_predictions_are_checked():
    assert nsview.check_view(" Refused ") == nsview.REFUSED
    ok = {"pid": 1, "hostname": "Container", "network": "lo only", "uid": 0, "processes": "own"}
    assert nsview.check_view(ok) == {
        "pid": "1",
        "hostname": "container",
        "network": "lo only",
        "uid": "0",
        "processes": "own",
    }
    with pytest.raises(ValueError, match="missing hostname"):
        nsview.check_view({"pid": 1})
    with pytest.raises(ValueError, match="unknown colour"):
        nsview.check_view(ok | {"colour": "red"})
    with pytest.raises(ValueError, match="pid: predict one of"):
        nsview.check_view(ok | {"pid": 2})
    with pytest.raises(ValueError, match="uid: predict one of"):
        nsview.check_view(ok | {"uid": True})
    with pytest.raises(ValueError, match="'refused' or a dict"):
        nsview.check_view(["pid"])


def test_every_field_has_a_reason_for_what_it_shows():
    for names in (["user", "pid", "uts", "mount", "net"], ["user"], ["user", "pid"]):
        view = nsview.expected_view(names)
        for f in nsview.FIELDS:
            assert nsview.why(f, names, view[f])
    assert "mount namespace" in nsview.why("processes", ["user", "pid"], "host")
    assert "without a PID namespace" in nsview.why("processes", ["user"], "host")


def test_the_user_namespace_effect_says_the_uid_map_makes_uid_0():
    """uid 0 inside comes from the map the process writes; without one the kernel shows the overflow uid."""
    effect = nsview.EFFECTS["user"]
    assert "uid map (0 <uid> 1)" in effect and "65534" in effect and "EPERM" in effect
    assert "maps the process's uid to 0" not in effect
