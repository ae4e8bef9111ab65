"""Lesson 05's kernel check: version parsing, feature sets by hand, the calculator through its widget,
the CVE timeline and table, and the hardening checklist with its seeded practice."""

from __future__ import annotations

import platform
import re

import pytest

import widgets
from tests.hostile import HOSTILE_TEXT
from widgets.labs import kernel
from widgets.models import hardening as hardening_model
from widgets.models import kernel as kernel_model
from widgets.ui import kernelcheck as kc
from widgets.ui.theme import COLORS


def _points(fig):
    return {t.name.split(" ")[0]: list(zip(t.x, t.y, strict=True)) for t in fig.data}


def _cells():
    rows = re.findall(r"<tr><td>(CVE-[^<]+)</td>(.*?)</tr>", kc.cve_table_html())
    return {cve: re.findall(r"<td>(.*?)</td>", rest) for cve, rest in rows}


def test_summary_and_missing_protection_texts():
    r = kernel_model.kernel_features("3.10")
    assert kc.summarize(r) == (
        "Linux 3.10 has 6 of the 8 namespace types, cgroups v1 only (no pids controller) and seccomp-BPF; by its "
        "version, a container there lacks the pids controller, cgroups v2, the cgroup namespace and the time "
        "namespace."
    )
    el7 = kc.summarize(kernel_model.kernel_features("3.10.0-1160.el7.x86_64"))
    assert el7.endswith("(a Red Hat family kernel: backports may add features, the version alone cannot tell).")
    lacks = {f.key: f.lacks for f in kernel_model.kernel_features("3.4").missing}
    assert lacks["ns:cgroup"] == "no cgroup namespace: a container sees the host's cgroup paths in /proc/self/cgroup"
    assert lacks["seccomp-bpf"].startswith("no seccomp-BPF: an engine cannot filter the container's system calls")
    docker = widgets.load("syscall_counts").row(id="docker_docs_disabled")["value"]
    assert f"around {docker:g} of them" in lacks["seccomp-bpf"]
    assert lacks["userns-unprivileged"] == (
        "no unprivileged user namespaces: rootless containers impossible, root in the container is root on the host"
    )
    assert "cgroups v2 exists only as a development preview" in kc.details(r)
    assert "only privileged processes may use it until Linux 3.8" in kc.details(kernel_model.kernel_features("3.7"))
    assert "strict-mode seccomp" in kc.summarize(kernel_model.kernel_features("2.6.32"))
    assert "no cgroups and no seccomp" in kc.summarize(kernel_model.kernel_features("2.6.19"))
    assert kc.summarize(kernel_model.kernel_features("6.1")).endswith("lacks none of the features charted.")


def test_details_escape_and_cite():
    html_text = kc.details(kernel_model.kernel_features("3.10.0-1160.el7.x86_64"))
    assert "Linux 3.10" in html_text and "Sources" in html_text and "man-pages" in html_text
    assert "<li>no time namespace" in html_text and "backport" in html_text
    assert "cgroup-limits (needs pids controller (4.3))" in html_text and "gluster-containers" in html_text
    assert "adds no protection" in html_text  # seccomp() missing, prctl works since 3.5


def test_this_kernel_here_and_elsewhere(monkeypatch):
    if platform.system() == "Linux":
        r = kernel.this_kernel()
        assert r.version == kernel_model.parse_kernel_version(platform.release()) and "read here" in r.origin
    monkeypatch.setattr(kernel.platform, "system", lambda: "Darwin")
    with pytest.raises(ValueError, match="no Linux kernel here .*Darwin.*Linux VM"):
        kernel.this_kernel()
    calc = kc.KernelCalculator()
    assert calc.controls["version"].value == "5.15" and "illustrative" in calc.controls["version"].tooltip


def test_figure_fills_present_and_hollows_missing():
    calc = kc.KernelCalculator("3.10")
    present, missing = calc.figure.data
    assert len(present.x) + len(missing.x) == len(calc.result.features) == 17
    assert set(missing.y) == {f.label for f in calc.result.features if not f.present}
    assert {"cgroup namespace", "time namespace", "cgroups v2 (with io, memory, pids)", "pids controller"} <= set(
        missing.y
    )
    assert present.marker.color == COLORS["container"] and missing.marker.color == "white"
    ticks = list(calc.figure.layout.xaxis.ticktext)
    assert ticks == sorted(ticks, key=kernel_model.release_key) and ticks[0] == "2.4.19" and ticks[-1] == "5.6"
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
        assert calc.result.version == kernel_model.parse_kernel_version(platform.release())
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
    expected = {
        "container-to-host": "container",
        "guest-to-host": "vm",
        "guest-to-guest-or-host-memory": "vm",
        "local-privilege-escalation": "native",
    }
    assert list(points.marker.line.color) == [COLORS[expected[by_id[i]["boundary"]]] for i in ids]
    assert "CVE-2015-3456<br>VENOM" in points.text and "CVE-2019-5736" in points.text
    assert {t.name for t in fig.data if t.name} >= {"kernel privilege escalation (shared kernel)"}


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
    assert text.startswith("5 of the 10 flaws concern a virtual machine's boundary (4 guest-to-host escapes")
    assert "1 a CPU flaw that leaked memory across the boundary without escaping it" in text  # L1TF
    assert "5 a container's (3 escapes through the container runtime or cgroups, 2 kernel" in text
    assert "from 2009-04-10 to 2024-01-31" in text


def test_hardening_checklist_numbers_come_from_data():
    ids = [m.id for m in hardening_model.HARDENING]
    assert len(ids) == len(set(ids)) == 13
    assert [m.host for m in hardening_model.HARDENING].count("vm") == 3 and set(hardening_model.SETUPS) == {
        m.id for m in hardening_model.HARDENING if m.host == "container"
    }
    calls, fc = widgets.load("syscall_counts"), widgets.load("firecracker_spec")
    allowed = {f"{calls.row(id=i)['value']:g}" for i in ("docker_docs_disabled", "docker_docs_total")}
    allowed.add(f"{fc.row(id='site_emulated_devices')['value']:g}")
    text = " ".join(f"{m.measure} {m.protects}" for m in hardening_model.HARDENING)
    for cite in (calls.cite(r) for r in calls):  # citations carry years: not figures
        text = text.replace(cite, "")
    text = text.replace(fc.cite(fc.row(id="site_emulated_devices")), "")
    numbers = set(re.findall(r"\b\d+(?:\.\d+)?\b", re.sub(r"CVE-\d+-\d+", "", text)))
    assert numbers == allowed == {"44", "300", "5"}
    page = kc.hardening_html()
    assert page.count("☐") == 13 and all(f"<code>{i}</code>" in page for i in ids)
    assert "gVisor" in page and "VENOM" in page and "L1TF" in page and "--privileged" in page
