"""Lesson 07's published overheads: Felter et al.'s rows relative to native, gVisor's system-call
costs and Firecracker's bounds, checked against hand arithmetic from the CSV rows; and the widget."""

from __future__ import annotations

import math

import pytest

from tests.unit.support.overheads import HOSTILE_CHOICES, _csv_rows
from widgets.models.overheads import (
    CATEGORIES,
    PLATFORMS,
    category_of,
    explore,
    firecracker_bounds,
    normalise,
    worst,
)


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


@pytest.mark.parametrize(
    ("kw", "words"),
    [
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
    ],
)
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


@pytest.mark.parametrize("name", ["category", "platforms", "sockets"])
@pytest.mark.parametrize("value", HOSTILE_CHOICES)
def test_explore_refuses_hostile_choices(name, value):
    with pytest.raises(ValueError, match=f"^{name} must be one of"):
        explore(**{name: value})


def test_firecracker_bounds_keep_their_kind():
    bounds = {b.id: b for b in firecracker_bounds()}
    cpu = bounds["fc_guest_cpu"]
    assert (cpu.value, cpu.unit, cpu.bound, cpu.phrase) == (95, "%", "lower", "more than 95 %")
    assert bounds["fc_net_added_latency"].phrase == "typically 0.06 ms"
    assert bounds["fc_net_throughput_full_core"].phrase == "up to 25 Gbps"
    assert "fc_vmm_start_cpu" not in bounds and all("Firecracker" in b.citation for b in bounds.values())
