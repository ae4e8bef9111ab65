"""Load the course's cited data, validated against ``data/datapackage.json``.

The data follow the Frictionless Data convention: CSV files described by a
``datapackage.json`` that gives each file's schema (field names, types,
units, constraints) and sources. Every row also names its ``source`` and a
``confidence`` label (``verified``, ``verified-derived`` or ``secondary``),
so a figure in a lesson can always say where a number came from.

Loading validates the whole file; any mismatch raises :class:`DataError`
naming the file, line and field. Lessons load data only through
:func:`load` (never by a relative path), so they work from any folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CONFIDENCE = ("verified", "verified-derived", "secondary")
REQUIRED_COLUMNS = ("source", "confidence", "note")


class DataError(ValueError):
    """A data file does not match its description in datapackage.json."""


#: Where the data live in a source checkout (the top-level ``data/``, the source of truth) and in an
#: installed wheel (a copy of it inside the package, made by the build: see pyproject.toml).
CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"
INSTALLED_DATA = Path(__file__).resolve().parents[1] / "_data"
HOW_TO_FIX = (
    "reinstall the course package (pip install .) from a checkout that has data/, "
    "or set COURSE_DATA_DIR to a folder holding datapackage.json"
)


def data_dir() -> Path:
    """The folder holding ``datapackage.json``: ``$COURSE_DATA_DIR``, a checkout's ``data/``, or the installed copy.

    Raises
    ------
    DataError
        If none of them holds a ``datapackage.json`` (the message says what is missing and how to fix it).
    """
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        return Path(override)
    for candidate in (CHECKOUT_DATA, INSTALLED_DATA):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise DataError(
        f"the course's data are missing: no datapackage.json in {CHECKOUT_DATA} (a checkout) or "
        f"{INSTALLED_DATA} (an installed package); {HOW_TO_FIX}"
    )


def shipped_file(name: str) -> Path:
    """A file the course ships beside its data (``requirements.lock``): in the checkout's top level or the data.

    Raises
    ------
    DataError
        If the file is in neither place.
    """
    for candidate in (CHECKOUT_DATA.parent / name, data_dir() / name):
        if candidate.is_file():
            return candidate
    raise DataError(
        f"the course's file {name} is missing (looked beside {CHECKOUT_DATA} and in {data_dir()}); {HOW_TO_FIX}"
    )


@dataclass(frozen=True)
class Source:
    """Where a number comes from."""

    id: str
    title: str
    authors: str = ""
    venue: str = ""
    year: str = ""
    path: str = ""
    where: str = ""
    seen: str = ""
    licence: str = ""

    def citation(self) -> str:
        """A full citation: authors (year). Title. Venue. Location; where."""
        parts = []
        if self.authors and not self.authors.lower().startswith("unknown"):
            authors = self.authors.rstrip(".")
            parts.append(f"{authors} ({self.year})." if self.year else f"{authors}.")
        elif self.year:
            parts.append(f"({self.year}).")
        parts.append(self.title.rstrip(".") + ".")
        if self.venue:
            parts.append(self.venue.rstrip(".") + ".")
        if self.path:
            parts.append(self.path)
        seen = f"seen: {self.seen}" if self.seen and not self.seen.startswith("not recorded") else ""
        extra = "; ".join(x for x in (self.where, seen) if x)
        if extra:
            parts.append(f"({extra})")
        return " ".join(parts)


@dataclass(frozen=True)
class Field:
    """One column of a table, as described by the schema."""

    name: str
    type: str
    description: str = ""
    unit: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    """A validated data file: typed rows plus their schema and sources."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: tuple[dict[str, Any], ...]
    sources: dict[str, Source]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    @property
    def columns(self) -> list[str]:
        """The column names, in file order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The schema of column ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise ValueError(f"{self.name} has no column {name!r}; columns: {', '.join(self.columns)}")

    def column(self, name: str) -> list[Any]:
        """All values of one column."""
        self.field(name)
        return [r[name] for r in self.rows]

    def array(self, name: str) -> np.ndarray:
        """A numeric column as a float array (missing values become NaN)."""
        f = self.field(name)
        if f.type not in ("number", "integer"):
            raise ValueError(f"{self.name}.{name} is a {f.type} column, not numeric")
        return np.array([np.nan if v is None else v for v in self.column(name)], dtype=float)

    def where(self, **equals: Any) -> Table:
        """The rows whose columns equal the given values."""
        for k in equals:
            self.field(k)
        rows = tuple(r for r in self.rows if all(r[k] == v for k, v in equals.items()))
        return Table(self.name, self.title, self.description, self.fields, rows, self.sources)

    def row(self, **equals: Any) -> dict[str, Any]:
        """The single row matching the given values."""
        found = self.where(**equals).rows
        if len(found) != 1:
            raise ValueError(f"{self.name}: {len(found)} rows match {equals}, expected exactly 1")
        return found[0]

    def source(self, row: dict[str, Any]) -> Source:
        """The :class:`Source` a row cites."""
        return self.sources[row["source"]]

    def cite(self, row: dict[str, Any]) -> str:
        """A short citation for a row, with its confidence label."""
        src = self.source(row)
        if src.authors and not src.authors.lower().startswith("unknown"):
            who = src.authors.split(",")[0].split(" and ")[0].strip()
        else:  # an anonymous source is named by its title
            who = src.title.split(" (")[0]
        year = f" {src.year}" if src.year and src.year not in who else ""
        label = "" if row["confidence"] == "verified" else f"; {row['confidence']}"
        return f"{who}{year}{label}"

    def citations(self) -> list[str]:
        """Full citations of every source this table's rows use."""
        used = dict.fromkeys(r["source"] for r in self.rows)
        return [self.sources[s].citation() for s in used]


def _parse(value: str, f: Field, where: str) -> Any:
    if value == "":
        if f.constraints.get("required"):
            raise DataError(f"{where}: {f.name} is required but empty")
        return None
    try:
        if f.type == "string":
            out: Any = value
        elif f.type == "number":
            out = float(value)
            if not np.isfinite(out):
                raise ValueError(value)
        elif f.type == "integer":
            out = int(value)
        elif f.type == "boolean":
            if value.lower() not in ("true", "false"):
                raise ValueError(value)
            out = value.lower() == "true"
        elif f.type == "date":
            out = dt.date.fromisoformat(value)
        else:
            raise DataError(f"{where}: {f.name} has an unsupported type {f.type!r}")
    except (TypeError, ValueError):
        raise DataError(f"{where}: {f.name}={value!r} is not a valid {f.type}") from None
    enum = f.constraints.get("enum")
    if enum is not None and out not in enum:
        raise DataError(f"{where}: {f.name}={value!r} is not one of {enum}")
    minimum = f.constraints.get("minimum")
    if minimum is not None and out < minimum:
        raise DataError(f"{where}: {f.name}={value!r} is below the minimum {minimum}")
    return out


@functools.lru_cache(maxsize=1)
def _package_cached(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def package() -> dict[str, Any]:
    """The parsed ``datapackage.json``."""
    path = data_dir() / "datapackage.json"
    if not path.exists():
        raise DataError(f"no datapackage.json in {data_dir()}; {HOW_TO_FIX}")
    return _package_cached(str(path), path.stat().st_mtime)


def names() -> list[str]:
    """The names of all data resources."""
    return [r["name"] for r in package()["resources"]]


def _source(raw: dict[str, Any]) -> Source:
    keys = Source.__dataclass_fields__
    return Source(**{k: str(v) for k, v in raw.items() if k in keys})


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, path: str, mtime: float) -> Table:
    meta = package()
    resources = {r["name"]: r for r in meta["resources"]}
    res = resources[name]
    top = {s["id"]: _source(s) for s in meta.get("sources", [])}
    own_ids = [s["id"] for s in res.get("sources", [])]
    missing = [s for s in own_ids if s not in top]
    if missing:
        raise DataError(f"{name}: sources {missing} are not described in datapackage.json")
    fields = tuple(
        Field(
            f["name"],
            f.get("type", "string"),
            f.get("description", ""),
            f.get("unit", ""),
            f.get("constraints", {}),
        )
        for f in res["schema"]["fields"]
    )
    expected = [f.name for f in fields]
    for col in REQUIRED_COLUMNS:
        if col not in expected:
            raise DataError(f"{name}: the schema has no {col!r} column (every table needs one)")
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != expected:
            raise DataError(f"{res['path']}: header {header} does not match the schema {expected}")
        for lineno, raw in enumerate(reader, start=2):
            where = f"{res['path']} line {lineno}"
            if len(raw) != len(fields):
                raise DataError(f"{where}: {len(raw)} cells, expected {len(fields)}")
            row = {f.name: _parse(v, f, where) for v, f in zip(raw, fields, strict=True)}
            if row["source"] not in own_ids:
                raise DataError(f"{where}: source {row['source']!r} is not listed for {name}")
            if row["confidence"] not in CONFIDENCE:
                raise DataError(f"{where}: confidence {row['confidence']!r} not in {CONFIDENCE}")
            rows.append(row)
    key = res["schema"].get("primaryKey")
    if key:
        key = [key] if isinstance(key, str) else key
        seen: set[tuple[Any, ...]] = set()
        for r in rows:
            k = tuple(r[c] for c in key)
            if k in seen:
                raise DataError(f"{res['path']}: duplicate primary key {k}")
            seen.add(k)
    return Table(
        name,
        res.get("title", name),
        res.get("description", ""),
        fields,
        tuple(rows),
        {s: top[s] for s in own_ids},
    )


def load(name: str) -> Table:
    """Load and validate one data resource by name.

    Parameters
    ----------
    name:
        The resource name in ``datapackage.json`` (e.g. ``"startup_times"``).

    Raises
    ------
    ValueError
        If there is no such resource.
    DataError
        If the file does not match its schema or cites an unknown source.
    """
    resources = {r["name"]: r for r in package()["resources"]}
    if name not in resources:
        raise ValueError(f"no data set named {name!r}; available: {', '.join(sorted(resources))}")
    path = data_dir() / resources[name]["path"]
    if not path.exists():
        raise DataError(f"{name}: file {resources[name]['path']} is missing from data/")
    return _load_cached(name, str(path), path.stat().st_mtime)


#: The labs' recorded runs: made by the labs themselves on the course's build machine, shipped in the package.
RECORDED_DIR = Path(__file__).resolve().parents[1] / "labs" / "recorded"


def recording(name: str) -> dict[str, Any]:
    """A recorded, dated run of a live lab (the fallback), from ``widgets/labs/recorded/``.

    Recordings are the output of the course's own live labs, made on the
    course's build machine; each says when and where it was recorded.

    Raises
    ------
    DataError
        If the recording is missing or is not valid JSON.
    """
    path = RECORDED_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"the recording {name} cannot be read: {exc}") from None


def validate_all() -> dict[str, int]:
    """Load every resource; return name -> row count. Raises on the first problem."""
    listed = {r["path"] for r in package()["resources"]}
    on_disk = {p.relative_to(data_dir()).as_posix() for p in data_dir().rglob("*.csv")}
    unlisted = sorted(on_disk - listed)
    if unlisted:
        raise DataError(f"files not described in datapackage.json: {unlisted}")
    return {n: len(load(n)) for n in names()}
