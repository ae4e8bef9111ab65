"""Lesson 05's kernel check: version parsing, feature sets by hand, the calculator through its widget,
the CVE timeline and table, and the hardening checklist with its seeded practice."""

from __future__ import annotations

import platform
import re

import pytest

import widgets
from tests.hostile import HOSTILE_TEXT
from widgets import kernelcheck as kc
from widgets.theme import COLORS

EXAMPLE = "5.15 or 5.15.0-91-generic"


@pytest.mark.parametrize(("text", "expected"), [
    ("6.1", (6, 1, 0)), ("5.15.0-91-generic", (5, 15, 0)), ("4.19.0", (4, 19, 0)), (" 3.10 ", (3, 10, 0)),
    ("6.18.44-fc-v669", (6, 18, 44)), ("2.6.32-754.el6.x86_64", (2, 6, 32)), ("v6.1", (6, 1, 0)),
    ("2.6.32.27", (2, 6, 32)), ("5.15.167.4-microsoft-standard-WSL2", (5, 15, 167)), ("6.1-rc3", (6, 1, 0)),
])
def test_parse_accepts_real_version_strings(text, expected):
    assert kc.parse_kernel_version(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "abc", "6", "6.x", "6.1.x", "5 15", "6..1", "6.1rc3", "1e30", "-5",
                                  "x" * 70, "<script>alert(1)</script>"])
def test_parse_refuses_garbage_text_and_says_what_to_type(text):
    with pytest.raises(ValueError, match="kernel version") as err:
        kc.parse_kernel_version(text)
    assert EXAMPLE in str(err.value)


@pytest.mark.parametrize(("value", "words"), [
    (None, "must be text"), (6.1, "6.1 and 6.10 are the same"), (6, "must be text"), (True, "bool True"),
    ([6, 1], "must be text"), (float("nan"), "must be text"),
    ("100.1", "major number must be between 1 and 99"), ("0.12", "major number must be between 1"),
    ("6.1000", "minor number must be between 0 and 999"), ("6.1.100000", "patch number"),
])
def test_parse_refuses_non_text_and_out_of_range(value, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        kc.parse_kernel_version(value)


NS6 = {"mount", "uts", "ipc", "user", "pid", "network"}
# version: (namespace types, cgroups v1, cgroups v2, seccomp-BPF, seccomp(), unprivileged user namespaces)
BY_HAND = {
    "2.6.32": (NS6, True, False, False, False, False),
    "3.10": (NS6, True, False, True, False, True),
    "4.4": (NS6, True, False, True, True, True),
    "4.19": (NS6 | {"cgroup"}, True, True, True, True, True),
    "5.4": (NS6 | {"cgroup"}, True, True, True, True, True),
    "5.15": (NS6 | {"cgroup", "time"}, True, True, True, True, True),
    "6.1": (NS6 | {"cgroup", "time"}, True, True, True, True, True),
}


@pytest.mark.parametrize("version", BY_HAND)
def test_feature_sets_by_hand(version):
    ns, v1, v2, bpf, call, unpriv = BY_HAND[version]
    r = kc.kernel_features(version)
    assert set(r.namespaces) == ns
    assert (r.has("cgroups-v1"), r.has("cgroups-v2"), r.has("cgroups-v2-controllers")) == (v1, v2, v2)
    assert (r.has("seccomp-strict"), r.has("seccomp-bpf"), r.has("seccomp-syscall")) == (True, bpf, call)
    assert r.has("userns-unprivileged") == unpriv
    assert {f.key for f in r.missing} == {f.key for f in r.features if not f.present} - {"cgroups-v2-devel"}


@pytest.mark.parametrize(("version", "key", "present"), [
    ("2.6.22", "ns:user", False), ("2.6.23", "ns:user", True), ("3.7.10", "userns-unprivileged", False),
    ("3.8", "userns-unprivileged", True), ("3.4.113", "seccomp-bpf", False), ("3.5", "seccomp-bpf", True),
    ("4.4.302", "cgroups-v2", False), ("4.5", "cgroups-v2", True), ("4.5.7", "ns:cgroup", False),
    ("4.6", "ns:cgroup", True), ("5.5.19", "ns:time", False), ("5.6", "ns:time", True),
    ("2.6.24", "cgroups-v1", True), ("2.6.23", "cgroups-v1", False), ("2.4.18", "ns:mount", False),
])
def test_boundaries_are_the_data_versions(version, key, present):
    assert kc.kernel_features(version).has(key) is present


def test_versions_come_from_both_data_files_and_agree():
    ns, kf = widgets.load("namespaces"), widgets.load("kernel_features")
    r = kc.kernel_features("6.1")
    since = {f.key: f.since for f in r.features}
    assert {since[f"ns:{row['namespace']}"] for row in ns} == {row["kernel_version"] for row in ns}
    for name in ("cgroup", "time"):  # duplicated in both files: the versions must agree
        assert kf.row(feature=f"{name} namespace")["kernel_version"] == ns.row(namespace=name)["kernel_version"]
    assert since["userns-unprivileged"] == kf.row(feature="unprivileged user namespaces")["kernel_version"] == "3.8"
    assert "unprivileged processes can create user namespaces starting in 3.8" in ns.row(namespace="user")["note"]
    assert all("Kerrisk" in f.cite for f in r.features)


def test_summary_and_missing_protection_texts():
    r = kc.kernel_features("3.10")
    assert kc.summarize(r) == (
        "Linux 3.10 has 6 of the 8 namespace types, cgroups v1 only and seccomp-BPF; a container there lacks "
        "the seccomp() system call, cgroups v2, the cgroups v2 io, memory and pids controllers, the cgroup "
        "namespace and the time namespace.")
    lacks = {f.key: f.lacks for f in kc.kernel_features("3.4").missing}
    assert lacks["ns:cgroup"] == "no cgroup namespace: a container sees the host's cgroup paths in /proc/self/cgroup"
    assert lacks["seccomp-bpf"].startswith("no seccomp-BPF: an engine cannot filter the container's system calls")
    docker = widgets.load("syscall_counts").row(id="docker_docs_disabled")["value"]
    assert f"around {docker:g} of them" in lacks["seccomp-bpf"]
    assert lacks["userns-unprivileged"] == ("no unprivileged user namespaces: rootless containers impossible, root "
                                            "in the container is root on the host")
    assert "cgroups v2 exists only as a development preview" in kc.details(r)
    assert "only privileged processes may use it until Linux 3.8" in kc.details(kc.kernel_features("3.7"))
    assert "strict-mode seccomp" in kc.summarize(kc.kernel_features("2.6.32"))
    assert "no cgroups and no seccomp" in kc.summarize(kc.kernel_features("2.6.19"))
    assert kc.summarize(kc.kernel_features("6.1")).endswith("lacks none of the features charted.")


def test_details_escape_and_cite():
    html_text = kc.details(kc.kernel_features("3.10.0-1160.el7.x86_64"))
    assert "Linux 3.10" in html_text and "Sources" in html_text and "man-pages" in html_text
    assert "<li>no time namespace" in html_text and "backport" in html_text


def test_this_kernel_here_and_elsewhere(monkeypatch):
    if platform.system() == "Linux":
        r = kc.this_kernel()
        assert r.version == kc.parse_kernel_version(platform.release()) and "read here" in r.origin
    monkeypatch.setattr(kc.platform, "system", lambda: "Darwin")
    with pytest.raises(ValueError, match="no Linux kernel here .*Darwin.*Linux VM"):
        kc.this_kernel()
    calc = kc.KernelCalculator()
    assert calc.controls["version"].value == "5.15" and "illustrative" in calc.controls["version"].tooltip


def _points(fig):
    return {t.name.split(" ")[0]: list(zip(t.x, t.y, strict=True)) for t in fig.data}


def test_figure_fills_present_and_hollows_missing():
    calc = kc.KernelCalculator("3.10")
    present, missing = calc.figure.data
    assert len(present.x) + len(missing.x) == len(calc.result.features) == 16
    assert set(missing.y) == {f.label for f in calc.result.features if not f.present}
    assert {"cgroup namespace", "time namespace", "cgroups v2 (official)"} <= set(missing.y)
    assert present.marker.color == COLORS["container"] and missing.marker.color == "white"
    ticks = list(calc.figure.layout.xaxis.ticktext)
    assert ticks == sorted(ticks, key=kc._key) and ticks[0] == "2.4.19" and ticks[-1] == "5.6"
    assert calc.figure.layout.shapes[0].x0 == ticks.index("3.10")
    for version, x in (("3.11", ticks.index("3.10") + 0.5), ("2.4.0", -0.5), ("6.1", len(ticks) - 0.5)):
        calc.controls["version"].value = version
        assert calc.error is None and calc.figure.layout.shapes[0].x0 == x
    assert "Linux 6.1" in calc.figure.layout.title.text and not calc.figure.data[1].x


@pytest.mark.parametrize("value", [*HOSTILE_TEXT, "6", "6.x", "v", "<b>6.1</b>", "99999.1", "x" * 200])
def test_widget_hostile_text_keeps_last_figure(value):
    calc = kc.KernelCalculator("4.4")
    before, summary = _points(calc.figure), calc.summary.value
    calc.controls["version"].value = value
    assert calc.error and "kernel version" in calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert "<b>6.1</b>" not in calc.status.value  # the learner's text is escaped
    assert _points(calc.figure) == before and calc.summary.value == summary
    assert calc.last_exception is None
    calc.controls["version"].value = "4.19.0-25-amd64"
    assert calc.error is None and calc.status.value == "" and calc.result.version == (4, 19, 0)
    assert "cgroup namespace" in dict(_points(calc.figure)["present"]).values()


def test_calculator_defaults_to_this_kernel_and_is_named():
    calc = kc.KernelCalculator()
    if platform.system() == "Linux":
        assert calc.result.version == kc.parse_kernel_version(platform.release())
    assert "cvm-kernel" in calc._dom_classes and calc.last_exception is None and calc.updates == 1


def test_cve_figure_points_sorted_and_coloured_by_boundary():
    table = widgets.load("escape_cves")
    fig = kc.cve_figure()
    points = next(t for t in fig.data if t.mode == "markers+text")
    assert len(points.x) == len(table) == 10
    assert list(points.x) == sorted(points.x)
    by_id = {r["cve"]: r for r in table}
    ids = [t.split("<br>")[0] for t in points.text]
    assert [by_id[i]["date_public"] or by_id[i]["date_published"] for i in ids] == list(points.x)
    expected = {"container-to-host": "container", "guest-to-host": "vm", "guest-to-guest-or-host-memory": "vm",
                "local-privilege-escalation": "native"}
    assert list(points.marker.line.color) == [
        COLORS[expected[by_id[i]["boundary"]]] for i in ids]
    assert "CVE-2015-3456<br>VENOM" in points.text and "CVE-2019-5736" in points.text
    assert {t.name for t in fig.data if t.name} >= {"kernel privilege escalation (shared kernel)"}


def _cells():
    rows = re.findall(r"<tr><td>(CVE-[^<]+)</td>(.*?)</tr>", kc.cve_table_html())
    return {cve: re.findall(r"<td>(.*?)</td>", rest) for cve, rest in rows}


def test_cve_table_shows_cvss_only_where_the_record_has_it():
    cells = _cells()
    assert len(cells) == 10
    scored = {cve: c[-1] for cve, c in cells.items() if c[-1] != "not in the record"}
    assert set(scored) == {"CVE-2024-21626", "CVE-2022-0185"}
    assert scored["CVE-2024-21626"].startswith("8.6 (CVSS:3.1/") and scored["CVE-2022-0185"].startswith("8.4 ")
    names = {cve: c[0] for cve, c in cells.items()}
    assert names["CVE-2024-21626"] == "Leaky Vessels (secondary)" and names["CVE-2009-1244"].endswith("(secondary)")
    assert names["CVE-2018-3646"].endswith("(secondary)") and names["CVE-2015-3456"] == "VENOM"
    assert names["CVE-2016-5195"] == "Dirty COW" and names["CVE-2019-5736"] == "—"
    assert cells["CVE-2024-21626"][4].startswith("runc 1.1.12") and cells["CVE-2019-5736"][4] == "not in the record"
    assert cells["CVE-2022-0185"][3] == "2022-02-11 (record published)"
    assert cells["CVE-2015-3456"][3] == "2015-05-13 (disclosed)"


def test_cve_summary_is_computed():
    text = kc.cve_summary()
    assert text.startswith("5 of the 10 escapes crossed a virtual machine's boundary (4 guest-to-host")
    assert "5 a container's (3 through the container runtime or cgroups, 2 kernel" in text
    assert "from 2009-04-10 to 2024-01-31" in text


def test_hardening_checklist_numbers_come_from_data():
    ids = [m.id for m in kc.HARDENING]
    assert len(ids) == len(set(ids)) == 13
    assert [m.host for m in kc.HARDENING].count("vm") == 3 and set(kc.SETUPS) == {
        m.id for m in kc.HARDENING if m.host == "container"}
    calls, fc = widgets.load("syscall_counts"), widgets.load("firecracker_spec")
    allowed = {f"{calls.row(id=i)['value']:g}" for i in ("docker_docs_disabled", "docker_docs_total")}
    allowed.add(f"{fc.row(id='site_emulated_devices')['value']:g}")
    text = " ".join(f"{m.measure} {m.protects}" for m in kc.HARDENING)
    for cite in (calls.cite(r) for r in calls):  # citations carry years: not figures
        text = text.replace(cite, "")
    text = text.replace(fc.cite(fc.row(id="site_emulated_devices")), "")
    numbers = set(re.findall(r"\b\d+(?:\.\d+)?\b", re.sub(r"CVE-\d+-\d+", "", text)))
    assert numbers == allowed == {"44", "300", "5"}
    page = kc.hardening_html()
    assert page.count("☐") == 13 and all(f"<code>{i}</code>" in page for i in ids)
    assert "gVisor" in page and "VENOM" in page and "L1TF" in page and "--privileged" in page


def test_hardening_scenarios_are_seeded():
    assert kc.hardening_scenario(7) == kc.hardening_scenario(7)
    scenarios = [kc.hardening_scenario(s) for s in range(200)]
    assert {len(s.weaknesses) for s in scenarios} == {2, 3}
    assert set().union(*(s.weaknesses for s in scenarios)) == set(kc.SETUPS)
    s = scenarios[7]
    assert len(s.lines) == len(s.weaknesses) + 3 and not set(s.weaknesses) & set(s.strengths)
    assert all(kc.SETUPS[i][0] in s.lines for i in s.weaknesses) and "synthetic" in s.show()


@pytest.mark.parametrize("seed", range(0, 50, 7))
def test_check_hardening_feedback(seed):
    sc = kc.hardening_scenario(seed)
    assert kc.check_hardening(list(sc.weaknesses), seed).correct
    assert kc.check_hardening(", ".join(reversed(sc.weaknesses)).upper().replace("-", "_"), seed).correct
    first, rest = sc.weaknesses[0], list(sc.weaknesses[1:])
    fb = kc.check_hardening(rest, seed)
    assert not fb.correct and f"Missing: {first}" in fb.message and kc.SETUPS[first][0] in fb.message
    fb = kc.check_hardening([*sc.weaknesses, sc.strengths[0]], seed)
    assert not fb.correct and f"Not a weakness here: {sc.strengths[0]} (the setup already has" in fb.message
    fb = kc.check_hardening([*sc.weaknesses, "cpu-mitigations"], seed)
    assert "VM-host measure" in fb.message
    assert "unknown measure id(s): chmod-777" in kc.check_hardening(["chmod-777"], seed).message


@pytest.mark.parametrize(("answer", "status"), [(None, "missing"), ("", "missing"), ([], "missing"),
                                                (..., "missing"), (42, "incorrect"), ([1, 2], "incorrect")])
def test_check_hardening_odd_answers(answer, status):
    assert kc.check_hardening(answer, 1).status == status


@pytest.mark.parametrize("seed", [-1, 1.5, "x", None, True])
def test_hardening_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        kc.hardening_scenario(seed)
