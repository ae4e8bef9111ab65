"""Lesson 07's published overheads: Felter et al.'s rows relative to native, gVisor's system-call
costs and Firecracker's bounds, checked against hand arithmetic from the CSV rows; and the widget."""

from __future__ import annotations

import pytest

from tests.unit.support.overheads import HOSTILE_CHOICES, _csv_rows
from widgets.models.overheads import (
    PLATFORMS,
    explore,
    syscall_costs,
)
from widgets.ui.overheads import OverheadExplorer, details, figure, summarize, summarize_syscalls, syscall_figure
from widgets.ui.theme import COLORS

#: What a dropdown can carry: ipywidgets itself refuses NaN as a selection (NaN != NaN), so it cannot arrive.
WIDGET_HOSTILE = [v for v in HOSTILE_CHOICES if v == v]


def snapshot(calc):
    return [(list(t.x), list(t.y), t.visible) for t in calc.figure.data], calc.summary.value


def test_explore_filters_category_and_sockets():
    one = explore("memory", "Docker + KVM", "one socket")
    assert one.platforms == ("docker", "kvm") and {r.category for r in one.rows} == {"memory"}
    assert {r.sockets for r in one.rows} == {"one socket"} and len(one.labels()) == 5
    assert one.get("randomaccess_1s", "kvm").relative == pytest.approx(0.03936 / 0.04579)
    assert one.skipped == () and one.sockets == "one socket"  # Docker and KVM have every memory cell
    everything = explore("all", "Docker + KVM + tuned KVM", "one socket")
    assert everything.get("linpack", "kvm") is not None  # Linpack is not filtered by the memory socket choice
    assert everything.get("stream_copy_2s", "kvm") is None and everything.get("stream_copy_1s", "kvm") is not None
    fio = {r["id"] for r in _csv_rows() if r["id"].startswith("fio")}
    flagged = {r["id"] for r in _csv_rows() if "check against the report" in r["note"]}
    assert flagged == {"fio_rand_read_latency_p50", "fio_rand_read_latency_p99"}
    assert {r.benchmark for r in explore("storage").rows} == fio - flagged  # flagged rows left out by default
    assert explore("storage").left_out == tuple(sorted(flagged))
    assert {r.benchmark for r in explore("storage", flagged="show").rows} == fio
    assert "Left out: 2 rows" in summarize(explore("storage")) and "Left out" not in summarize(
        explore("storage", flagged="show")
    )


def test_summary_is_built_from_the_data():
    cpu = summarize(explore("CPU"))
    assert "Docker 1.00× (Linpack" in cpu and "KVM (untuned) 0.45×" in cpu and "KVM (tuned) 0.98×" in cpu
    everything = summarize(explore(flagged="show"))
    assert "worst 0.45× (Linpack)" in everything and "⚠" in everything
    assert "⚠" not in summarize(explore("network"))


def test_details_explain_skips_flags_and_sources():
    text = details(explore("network"))
    assert "NAT" in text and "netperf_tcp_rr_rate" in text and "not counted as zero" in text
    assert "RC25482" in text and "Flagged" not in text
    assert "Flagged in the data" in details(explore("storage"))


def test_figure_one_trace_per_platform_with_citations():
    o = explore(flagged="show")
    fig = figure(o)
    assert [t.name for t in fig.data] == list(PLATFORMS.values())
    docker, kvm, tuned = fig.data
    assert docker.marker.color == COLORS["container"] and kvm.marker.color == COLORS["vm"]
    assert tuned.marker.color == COLORS["vm"] and tuned.marker.pattern.shape == "/"
    assert docker.orientation == "h" and fig.layout.barmode == "group"
    assert fig.layout.xaxis.title.text == "relative performance (native = 1.0)"
    line = fig.layout.shapes[0]
    assert (line.x0, line.x1, line.line.dash) == (1, 1, "dash")
    labels = o.labels()
    i = labels.index("Linpack: floating-point throughput")
    assert kvm.x[i] == pytest.approx(130.28 / 290.83) and tuned.x[i] == pytest.approx(284.20 / 290.83)
    assert "130.28 (SD 7.57) GFLOPS vs native 290.83" in kvm.customdata[i][0]
    j = labels.index("netperf TCP_RR: round-trip latency")
    assert docker.x[j] is None and docker.customdata[j][0] == "not in the data"
    assert "inverted" in kvm.customdata[j][1]
    for t in fig.data:
        cites = [c[3] for c in t.customdata if c[0] != "not in the data"]
        assert cites and all("Felter" in c for c in cites)
    assert "Felter" in fig.layout.annotations[0].text
    assert any(y.endswith("⚠") for y in docker.y)


def test_syscall_costs_and_figure():
    costs = {c.id: c for c in syscall_costs()}
    assert costs["syscall_runc"].ratio_to_runc == 1.0
    assert costs["syscall_runsc_ptrace"].ratio_to_runc == pytest.approx(38219 / 1939)
    assert costs["syscall_runsc_kvm"].ratio_to_runc == pytest.approx(763 / 1939)
    assert "ptrace platform" in costs["syscall_runsc_ptrace"].label and "KVM" in costs["syscall_runsc_kvm"].label
    fig = syscall_figure()
    assert fig.layout.xaxis.type == "log" and "ns" in fig.layout.xaxis.title.text
    assert list(fig.data[0].x) == [1939.0, 38219.0, 763.0]
    assert list(fig.data[0].marker.color) == [COLORS["container"], COLORS["sandbox"], COLORS["sandbox"]]
    assert "gVisor" in fig.layout.annotations[0].text and all("gVisor" in c[1] for c in fig.data[0].customdata)
    assert "19.71× runc" in summarize_syscalls(syscall_costs())


def test_widget_updates_on_every_control():
    calc = OverheadExplorer()
    assert calc.error is None and calc.last_exception is None and "cvm-overheads" in calc._dom_classes
    assert "Linpack" in calc.summary.value and "Sources" in calc.detail.value
    calc.controls["category"].value = "storage"
    assert all(y.startswith("fio") for y in calc.figure.data[0].y) and "storage" in calc.figure.layout.title.text
    calc.controls["platforms"].value = "Docker + KVM"
    assert [t.visible for t in calc.figure.data] == [True, True, False] and "KVM (tuned)" not in calc.summary.value
    calc.controls["category"].value = "memory"
    calc.controls["sockets"].value = "one socket"
    assert all("one socket" in y for y in calc.figure.data[1].y)
    assert calc.result.get("randomaccess_1s", "kvm").relative == pytest.approx(0.03936 / 0.04579)
    assert calc.error is None and calc.last_exception is None and calc.updates == 5


def test_widget_starts_from_given_choices_and_refuses_unknown_inputs():
    calc = OverheadExplorer(category="network", platforms="Docker + KVM")
    assert calc.controls["category"].value == "network" and calc.result.category == "network"
    with pytest.raises(ValueError, match="unknown input"):
        OverheadExplorer(colour="red")


@pytest.mark.parametrize("name", ["category", "platforms", "sockets"])
def test_widget_hostile_choices_keep_last_good_figure(name):
    calc = OverheadExplorer(category="CPU")
    control = calc.controls[name]
    good = control.value
    # A stale or tampered front end could send any value: offer hostile ones as options and pick them.
    hostile = [(f"bad {i}", v) for i, v in enumerate(WIDGET_HOSTILE)]
    control.options = [*((str(o), o) for o in control.options), *hostile]
    control.value = good  # new options reset the selection
    before = snapshot(calc)
    assert calc.result.category == "CPU" and calc.error is None
    for i, value in enumerate(WIDGET_HOSTILE):
        control.label = f"bad {i}"
        assert control.value is value
        assert calc.error and calc.error.startswith(f"{name} must be one of"), (value, calc.error)
        assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
        assert snapshot(calc) == before and calc.last_exception is None
    control.value = good  # recovers
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before
