"""Published performance overheads: containers and VMs against native, on one scale.

Lesson 07 "Performance" reads the numbers behind Felter et al.'s comparison of
Docker and KVM with native Linux (``data/felter2014_performance.csv``, from the
authors' data repository) and puts every benchmark on one scale: relative
performance where 1.0 = native and higher is better. Throughput rows are
``value / native``; latency rows (lower is better) are inverted,
``native / value``. A cell the data does not have is skipped, never counted as
zero, and the reason is kept.

Two smaller views use the same idea: gVisor's published raw system-call time
(:func:`syscall_costs`, :func:`syscall_figure`) and the bounds Firecracker's
specification states (:func:`firecracker_bounds`). No number here is invented:
each row carries its citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core import data, validate

#: Platform column -> how a learner reads it.
PLATFORMS: dict[str, str] = {"docker": "Docker", "kvm": "KVM (untuned)", "kvm_tuned": "KVM (tuned)"}


#: Category -> benchmark id prefixes (Felter's rows).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "CPU": ("linpack",),
    "memory": ("stream_", "randomaccess_"),
    "network": ("netperf_", "nuttcp_"),
    "storage": ("fio_",),
}


#: The widget's platform sets.
PLATFORM_SETS: dict[str, tuple[str, ...]] = {
    "Docker + KVM": ("docker", "kvm"),
    "Docker + KVM + tuned KVM": ("docker", "kvm", "kvm_tuned"),
}


SOCKETS = ("two sockets", "one socket")


#: Rows whose data note says "check against the report" (fio's random-read latency, where Docker comes out
#: several times *faster* than native, which no mechanism explains): left out of the chart unless asked for.
FLAGGED = ("leave out", "show")


_GENERIC_NOTE = "authors' data repository, not checked against the printed tables of RC25482"
_CAUTION = "check against the report"


@dataclass(frozen=True)
class OverheadRow:
    """One benchmark on one platform, relative to native (1.0 = native, higher is better)."""

    benchmark: str
    label: str
    category: str
    platform: str
    relative: float
    native: float
    value: float
    unit: str
    native_sd: float | None
    value_sd: float | None
    higher_is_better: bool
    sockets: str | None
    conditions: str
    citation: str
    where: str
    note: str
    caution: bool

    @property
    def short(self) -> str:
        """The benchmark's name without the metric, e.g. 'Linpack'."""
        return self.label.split(": ")[0]

    @property
    def slowdown(self) -> float:
        """How many times slower than native (1 / :attr:`relative`; below 1 means faster)."""
        return 1.0 / self.relative


@dataclass(frozen=True)
class Overheads:
    """Normalised rows, the cells skipped (benchmark, platform, reason) and the full citations."""

    rows: tuple[OverheadRow, ...]
    skipped: tuple[tuple[str, str, str], ...]
    platforms: tuple[str, ...]
    citations: tuple[str, ...]
    category: str = "all"
    sockets: str = "all"
    left_out: tuple[str, ...] = ()  # benchmark ids flagged in the data and not shown

    def labels(self) -> list[str]:
        """The benchmark labels shown, in order, each once."""
        return list(dict.fromkeys(r.label for r in self.rows))

    def get(self, benchmark: str, platform: str) -> OverheadRow | None:
        """The row for one benchmark on one platform, or None if it was skipped or filtered out."""
        return next((r for r in self.rows if r.benchmark == benchmark and r.platform == platform), None)


def category_of(benchmark: str) -> str:
    """The category ("CPU", "memory", "network", "storage") of a Felter benchmark id."""
    for name, prefixes in CATEGORIES.items():
        if benchmark.startswith(prefixes):
            return name
    raise ValueError(f"benchmark {benchmark!r} is in no category ({', '.join(CATEGORIES)})")


def _sockets(conditions: str) -> str | None:
    text = conditions.lower()
    return next((s for s in SOCKETS if text.startswith(s)), None)


def _label(row: dict) -> str:
    name = row["benchmark"].split(" (")[0] if row["id"] == "linpack" else row["benchmark"]
    text = f"{name}: {row['metric']}"
    if category_of(row["id"]) == "memory" and _sockets(row["conditions"]):
        text += f" ({_sockets(row['conditions'])})"
    return text


def _specific_note(note: str) -> str:
    parts = [p.strip() for p in note.split(";") if p.strip() and p.strip() != _GENERIC_NOTE]
    return "; ".join(parts)


def _why_missing(row: dict, platform: str) -> str:
    why = f"no {PLATFORMS[platform]} value in the data, so it is skipped, not counted as zero"
    if platform == "docker" and "not found" in row["note"]:
        why += f"; Felter's Docker network runs used NAT, and the source note says: {_specific_note(row['note'])}"
    elif platform == "kvm_tuned":
        why += "; tuned KVM (libvirt with topology and vCPU pinning) has a value only for Linpack"
    return why


def _sequence(name: str, value: object) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be a list, e.g. ['docker', 'kvm'], got {value!r}")
    return list(value)


def normalise(
    benchmarks: Sequence[str] | None = None, platforms: Sequence[str] = ("docker", "kvm", "kvm_tuned")
) -> Overheads:
    """Felter's rows relative to native: 1.0 = native, higher is better.

    Parameters
    ----------
    benchmarks:
        Felter benchmark ids (the ``id`` column); ``None`` for all rows.
    platforms:
        Platform columns to normalise: any of ``"docker"``, ``"kvm"``, ``"kvm_tuned"``.

    Returns
    -------
    Overheads
        One row per benchmark and platform with a value; ``value / native`` where higher
        is better, ``native / value`` for latency. Missing cells are listed in ``skipped``.

    Raises
    ------
    ValueError
        If a platform or benchmark is unknown, or a list is empty.
    """
    table = data.load("felter2014_performance")
    ids = [r["id"] for r in table]
    plats = list(dict.fromkeys(validate.choice("platform", p, PLATFORMS) for p in _sequence("platforms", platforms)))
    if not plats:
        raise ValueError("choose at least one platform (docker, kvm, kvm_tuned)")
    chosen = (
        ids
        if benchmarks is None
        else [validate.choice("benchmark", b, ids) for b in _sequence("benchmarks", benchmarks)]
    )
    if not chosen:
        raise ValueError("choose at least one benchmark")
    rows: list[OverheadRow] = []
    skipped: list[tuple[str, str, str]] = []
    for row in (table.row(id=b) for b in dict.fromkeys(chosen)):
        for p in plats:
            native, value = row["native"], row[p]
            if value is None or native is None or value <= 0 or native <= 0:
                skipped.append((row["id"], p, _why_missing(row, p)))
                continue
            relative = value / native if row["higher_is_better"] else native / value
            rows.append(
                OverheadRow(
                    row["id"],
                    _label(row),
                    category_of(row["id"]),
                    p,
                    relative,
                    native,
                    value,
                    row["unit"],
                    row["native_sd"],
                    row[f"{p}_sd"],
                    row["higher_is_better"],
                    _sockets(row["conditions"]),
                    row["conditions"],
                    table.cite(row),
                    row["where"],
                    _specific_note(row["note"]),
                    _CAUTION in row["note"],
                )
            )
    return Overheads(tuple(rows), tuple(skipped), tuple(plats), tuple(table.citations()))


def worst(overheads: Overheads, platform: str) -> OverheadRow:
    """The largest slowdown of one platform: its row with the lowest relative performance.

    Raises
    ------
    ValueError
        If the platform is unknown or has no rows in ``overheads``.
    """
    validate.choice("platform", platform, PLATFORMS)
    rows = [r for r in overheads.rows if r.platform == platform]
    if not rows:
        raise ValueError(f"no {PLATFORMS[platform]} rows to compare (skipped or not chosen)")
    return min(rows, key=lambda r: r.relative)


def explore(
    category: str = "all",
    platforms: str = "Docker + KVM + tuned KVM",
    sockets: str = "two sockets",
    flagged: str = "leave out",
) -> Overheads:
    """The widget's model: one category, a set of platforms, the socket set-up for STREAM/RandomAccess,
    and whether rows the data flag for checking (see :data:`FLAGGED`) are shown.

    Raises
    ------
    ValueError
        If a choice is not one of its options (the message names the input).
    """
    validate.choice("category", category, ["all", *CATEGORIES])
    plats = PLATFORM_SETS[validate.choice("platforms", platforms, PLATFORM_SETS)]
    validate.choice("sockets", sockets, SOCKETS)
    show_flagged = validate.choice("flagged rows", flagged, FLAGGED) == "show"
    full = normalise(platforms=plats)
    keep = [
        r
        for r in full.rows
        if (category == "all" or r.category == category) and (r.category != "memory" or r.sockets == sockets)
    ]
    left_out = {r.benchmark for r in keep if r.caution and not show_flagged}
    keep = [r for r in keep if r.benchmark not in left_out]
    ids = {r.benchmark for r in keep}
    return Overheads(
        tuple(keep),
        tuple(s for s in full.skipped if s[0] in ids),
        plats,
        full.citations,
        category,
        sockets,
        tuple(sorted(left_out)),
    )


@dataclass(frozen=True)
class SyscallCost:
    """gVisor's published raw system-call time for one runtime, and its ratio to runc."""

    id: str
    runtime: str
    label: str
    ns: float
    ratio_to_runc: float
    conditions: str
    citation: str
    note: str


def syscall_costs() -> tuple[SyscallCost, ...]:
    """The ``syscall_*`` rows of ``gvisor_benchmarks``, with ratios to runc (derived here)."""
    table = data.load("gvisor_benchmarks")
    rows = [r for r in table if r["id"].startswith("syscall_")]
    runc = next(r["value"] for r in rows if r["runtime"] == "runc")
    out = []
    for r in rows:
        platform = next((c.strip() for c in r["conditions"].split(";") if c.strip().endswith("platform")), "")
        label = r["runtime"] + (f" (gVisor, {platform})" if platform else " (ordinary container)")
        out.append(
            SyscallCost(
                r["id"], r["runtime"], label, r["value"], r["value"] / runc, r["conditions"], table.cite(r), r["note"]
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Bound:
    """A figure Firecracker's specification states, with the kind of bound it is."""

    id: str
    fact: str
    value: float
    unit: str
    bound: str
    phrase: str
    conditions: str
    citation: str
    note: str


def firecracker_bounds() -> tuple[Bound, ...]:
    """The performance bounds in Firecracker's SPECIFICATION.md: guest CPU, network and storage."""
    table = data.load("firecracker_spec")
    words = {"lower": "more than", "upper": "up to", "typical": "typically", "exact": "", "approximate": "about"}
    out = []
    for r in table:
        if r["source"] != "firecracker_spec" or not r["id"].startswith(("fc_guest", "fc_net", "fc_storage")):
            continue
        phrase = " ".join(x for x in (words.get(r["bound"], r["bound"]), f"{r['value']:g} {r['unit']}") if x)
        out.append(
            Bound(
                r["id"], r["fact"], r["value"], r["unit"], r["bound"], phrase, r["conditions"], table.cite(r), r["note"]
            )
        )
    return tuple(out)
