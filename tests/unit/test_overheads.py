"""Lesson 07's published overheads: Felter et al.'s rows relative to native, gVisor's system-call
costs and Firecracker's bounds, checked against hand arithmetic from the CSV rows; and the widget."""

from __future__ import annotations

import csv
import math

import pytest

from widgets import data
from widgets.overheads import (
    CATEGORIES,
    PLATFORMS,
    OverheadExplorer,
    category_of,
    details,
    explore,
    figure,
    firecracker_bounds,
    normalise,
    summarize,
    summarize_syscalls,
    syscall_costs,
    syscall_figure,
    worst,
)
from widgets.theme import COLORS

HOSTILE_CHOICES = ["", "   ", "abc", "toaster", True, None, float("nan"), -1, 0, 1e30, float("inf"), [1]]
#: What a dropdown can carry: ipywidgets itself refuses NaN as a selection (NaN != NaN), so it cannot arrive.
WIDGET_HOSTILE = [v for v in HOSTILE_CHOICES if v == v]


def _csv_rows() -> list[dict[str, str]]:
    with open(data.data_dir() / "felter2014_performance.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- normalise: hand arithmetic -----------------------------------------------------------------------------


def test_linpack_by_hand():
    o = normalise(["linpack"])
    assert o.get("linpack", "kvm").relative == pytest.approx(130.28 / 290.83)
    assert o.get("linpack", "docker").relative == pytest.approx(290.87 / 290.83)
    assert o.get("linpack", "kvm_tuned").relative == pytest.approx(284.20 / 290.83)
    r = o.get("linpack", "kvm")
    assert (r.value, r.native, r.unit, r.category) == (130.28, 290.83, "GFLOPS", "CPU")
    assert r.slowdown == pytest.approx(290.83 / 130.28) and "Felter" in r.citation


def test_latency_rows_are_inverted():
    o = normalise()
    lat = o.get("netperf_tcp_rr_latency", "kvm")
    assert not lat.higher_is_better and lat.relative == pytest.approx(37.58 / 67.94)
    # latency = 1e6 / rate in the sheet: inverting it agrees with the rate row
    assert lat.relative == pytest.approx(o.get("netperf_tcp_rr_rate", "kvm").relative, rel=1e-3)
    assert o.get("netperf_udp_rr_latency", "kvm").relative == pytest.approx(36.02 / 63.95)
    assert o.get("fio_rand_read_latency_p50", "docker").relative == pytest.approx(1624 / 262)
    assert o.get("fio_rand_read_latency_p99", "kvm").relative == pytest.approx(2416 / 4768)


def test_every_cell_matches_the_csv():
    o = normalise()
    expected = {}
    for row in _csv_rows():
        for p in PLATFORMS:
            if row[p]:
                native, value = float(row["native"]), float(row[p])
                expected[(row["id"], p)] = value / native if row["higher_is_better"] == "true" else native / value
    got = {(r.benchmark, r.platform): r.relative for r in o.rows}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


def test_missing_cells_are_skipped_not_zero():
    o = normalise()
    assert all(math.isfinite(r.relative) and r.relative > 0 for r in o.rows)
    for b in ("netperf_tcp_rr_rate", "netperf_tcp_rr_latency", "netperf_udp_rr_rate", "netperf_udp_rr_latency"):
        assert o.get(b, "docker") is None and o.get(b, "kvm") is not None
        why = next(w for bb, p, w in o.skipped if (bb, p) == (b, "docker"))
        assert "NAT" in why and "not counted as zero" in why and "not found" in why
    tuned = [r.benchmark for r in o.rows if r.platform == "kvm_tuned"]
    assert tuned == ["linpack"]
    assert len(o.rows) + len(o.skipped) == len(_csv_rows()) * 3


def test_every_category_has_rows_and_ids_map_to_categories():
    o = normalise()
    for cat in CATEGORIES:
        for p in ("docker", "kvm"):
            assert any(r.category == cat and r.platform == p for r in o.rows), (cat, p)
    assert category_of("stream_copy_1s") == "memory" and category_of("fio_seq_read") == "storage"
    assert category_of("nuttcp_server_to_client") == "network" and category_of("linpack") == "CPU"
    with pytest.raises(ValueError, match="in no category"):
        category_of("redis")


def test_caution_rows_follow_the_note_column():
    o = normalise()
    flagged = {r.benchmark for r in o.rows if r.caution}
    assert flagged == {"fio_rand_read_latency_p50", "fio_rand_read_latency_p99"}
    assert "authors' data repository" not in o.get("linpack", "kvm").note  # the generic part is dropped
    assert "108.76" in o.get("linpack", "kvm").note


@pytest.mark.parametrize(("kw", "words"), [
    ({"platforms": "docker"}, "platforms must be a list"),
    ({"platforms": []}, "at least one platform"),
    ({"platforms": ["vmware"]}, "platform must be one of docker, kvm, kvm_tuned"),
    ({"platforms": [True]}, "platform must be one of"),
    ({"platforms": [None]}, "platform must be one of"),
    ({"platforms": [float("nan")]}, "platform must be one of"),
    ({"platforms": 3}, "platforms must be a list"),
    ({"benchmarks": "linpack"}, "benchmarks must be a list"),
    ({"benchmarks": []}, "at least one benchmark"),
    ({"benchmarks": ["abc"]}, "benchmark must be one of"),
    ({"benchmarks": [""]}, "benchmark must be one of"),
    ({"benchmarks": [-1]}, "benchmark must be one of"),
])
def test_normalise_refuses_bad_input(kw, words):
    with pytest.raises(ValueError, match=words):
        normalise(**kw)


def test_worst_is_the_largest_slowdown():
    o = normalise()
    assert worst(o, "kvm").benchmark == "linpack" and worst(o, "kvm").relative == pytest.approx(130.28 / 290.83)
    assert worst(o, "docker").benchmark == "randomaccess_2s"
    assert worst(o, "docker").relative == pytest.approx(0.01240 / 0.01261)
    assert worst(o, "kvm_tuned").relative == pytest.approx(284.20 / 290.83)
    with pytest.raises(ValueError, match="platform must be one of"):
        worst(o, "vmware")
    with pytest.raises(ValueError, match="no KVM \\(tuned\\) rows"):
        worst(normalise(["fio_seq_read"]), "kvm_tuned")


# -- explore: the widget's model -----------------------------------------------------------------------------


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
        explore("storage", flagged="show"))


@pytest.mark.parametrize("name", ["category", "platforms", "sockets"])
@pytest.mark.parametrize("value", HOSTILE_CHOICES)
def test_explore_refuses_hostile_choices(name, value):
    with pytest.raises(ValueError, match=f"^{name} must be one of"):
        explore(**{name: value})


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


# -- figures ---------------------------------------------------------------------------------------------------


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


def test_firecracker_bounds_keep_their_kind():
    bounds = {b.id: b for b in firecracker_bounds()}
    cpu = bounds["fc_guest_cpu"]
    assert (cpu.value, cpu.unit, cpu.bound, cpu.phrase) == (95, "%", "lower", "more than 95 %")
    assert bounds["fc_net_added_latency"].phrase == "typically 0.06 ms"
    assert bounds["fc_net_throughput_full_core"].phrase == "up to 25 Gbps"
    assert "fc_vmm_start_cpu" not in bounds and all("Firecracker" in b.citation for b in bounds.values())


# -- the widget --------------------------------------------------------------------------------------------------


def snapshot(calc):
    return [(list(t.x), list(t.y), t.visible) for t in calc.figure.data], calc.summary.value


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
