"""An offline vulnerability scan: which installed versions fall in a published advisory's range?

A container image freezes its packages, and with them their known security
advisories. :func:`scan` checks an inventory (package name -> version) against
the shipped snapshot ``data/advisories.csv`` (real advisories read in the PyPA
advisory database, each with its source file) and lists every finding.

Ranges follow the advisory database's ECOSYSTEM semantics: a version is
affected when ``introduced <= version < fixed`` in PEP 440 *ordering*. That
differs from a plain :class:`~packaging.specifiers.SpecifierSet` in two places,
which is why ``<``/``<=``/``>``/``>=`` are evaluated by comparing
:class:`~packaging.version.Version` objects: PEP 440 says ``<2.0.0`` does not
contain ``2.0.0rc1`` (a pre-release of the excluded version) and ``>1.0``
does not contain ``1.0.post1``; an advisory "fixed in 2.0.0" does affect
2.0.0rc1, which was released before the fix. Other operators (``==``, ``!=``,
``~=``) use ``SpecifierSet.contains(..., prereleases=True)``.

The example inventories are drawn from the course's own ``requirements.lock``;
they are not real container images. The "older" example is synthetic: the lock
with a few packages set back to versions the advisories name as affected, to
show what findings look like.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..core import data
from . import envcheck

TABLE = "advisories"


#: Packages of the "minimal" example: numpy, pyyaml and a small HTTP stack (requests and its dependencies).
MINIMAL_PACKAGES = ("numpy", "pyyaml", "requests", "urllib3", "idna", "certifi", "charset-normalizer")


#: The "older" example's synthetic downgrades. Each version appears in the "versions" list of the advisory
#: named beside it, so the scan must find it; everything else stays at the lock's version.
OLDER_PINS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "requests": ("2.30.0", "PYSEC-2023-74"),
        "urllib3": ("2.0.4", "PYSEC-2023-192 and PYSEC-2023-212"),
        "jinja2": ("2.11.2", "PYSEC-2021-66"),
        "tornado": ("6.3.1", "PYSEC-2023-75"),
        "pyyaml": ("5.3.1", "PYSEC-2021-142"),
        "idna": ("3.6", "PYSEC-2024-60"),
        "certifi": ("2023.5.7", "PYSEC-2023-135"),
    }
)


@dataclass(frozen=True)
class Advisory:
    """One advisory: which versions of which package it affects, and where it was read."""

    id: str
    aliases: tuple[str, ...]
    package: str
    affected: str
    ranges: tuple[SpecifierSet, ...]
    fixed: tuple[str, ...]
    published: dt.date
    summary: str
    citation: str

    def affects(self, version: Version) -> bool:
        """True when ``version`` lies in any of the advisory's ranges."""
        return any(in_range(r, version) for r in self.ranges)


@dataclass(frozen=True)
class Finding:
    """An installed version inside an advisory's affected range."""

    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    published: dt.date
    summary: str
    citation: str


@dataclass(frozen=True)
class Scan:
    """The result of scanning one inventory."""

    label: str
    packages: int
    findings: tuple[Finding, ...]
    invalid: tuple[tuple[str, str], ...]
    advisories: int

    @property
    def counts(self) -> dict[str, int]:
        """Packages scanned, findings, affected packages and unreadable entries."""
        return {
            "packages": self.packages,
            "findings": len(self.findings),
            "affected_packages": len({f.package for f in self.findings}),
            "invalid": len(self.invalid),
        }


def parse_affected(text: str) -> tuple[SpecifierSet, ...]:
    """Parse an ``affected`` cell: PEP 440 specifier sets separated by ``|`` (any one may match).

    Raises
    ------
    ValueError
        If the text is empty or a part is not a valid specifier set.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"an affected range must be non-empty text, got {text!r}")
    out = []
    for part in text.split("|"):
        try:
            spec = SpecifierSet(part.strip())
        except InvalidSpecifier:
            raise ValueError(f"the affected range {part.strip()!r} is not a PEP 440 specifier") from None
        if not str(spec):
            raise ValueError(f"the affected range {text!r} has an empty part")
        out.append(spec)
    return tuple(out)


def _match(spec: Specifier, version: Version) -> bool:
    op = spec.operator
    if op in ("<", "<=", ">", ">="):
        bound = Version(spec.version)
        return {"<": version < bound, "<=": version <= bound, ">": version > bound, ">=": version >= bound}[op]
    return spec.contains(version, prereleases=True)


def in_range(spec: SpecifierSet, version: Version) -> bool:
    """Whether ``version`` is in ``spec`` under advisory (ordering) semantics; see the module docstring."""
    return all(_match(s, version) for s in spec)


def affected(version: str, ranges: str) -> bool:
    """Whether ``version`` falls in an advisory's ``ranges`` text (``|``-separated PEP 440 specifier sets).

    Raises
    ------
    ValueError
        If the version is not a PEP 440 version or the ranges do not parse.
    """
    try:
        v = Version(str(version).strip())
    except InvalidVersion:
        raise ValueError(f"{version!r} is not a PEP 440 version such as 2.0.6 or 2.0.0rc1") from None
    return any(in_range(spec, v) for spec in parse_affected(ranges))


def load_advisories() -> tuple[Advisory, ...]:
    """The advisories of ``data/advisories.csv``, parsed (ranges, fixed versions) and cited.

    Raises
    ------
    ValueError
        If a row's range or fixed version does not parse.
    """
    table = data.load(TABLE)
    out = []
    for row in table:
        try:
            ranges = parse_affected(row["affected"])
            fixed = tuple(v.strip() for v in row["fixed"].split("|"))
            for v in fixed:
                Version(v)
        except (ValueError, InvalidVersion) as exc:
            raise ValueError(f"advisory {row['id']}: {exc}") from None
        aliases = tuple(a for a in (row["aliases"] or "").split(";") if a)
        out.append(
            Advisory(
                row["id"],
                aliases,
                envcheck.normalize(row["package"]),
                row["affected"],
                ranges,
                fixed,
                row["published"],
                row["summary"],
                table.cite(row),
            )
        )
    return tuple(out)


def inventory_from_lock(path: Path | str) -> dict[str, str]:
    """Normalized name -> version pinned in a lock file (markers evaluated for this interpreter).

    Raises
    ------
    ValueError
        If the file cannot be read or a line is not a ``name==version`` pin.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the lock file {p.name}: {exc.strerror}") from None
    return envcheck.declared_pins(text)


@dataclass(frozen=True)
class ExampleImage:
    """An example inventory drawn from the course's lock (not a real container image)."""

    name: str
    description: str
    inventory: Mapping[str, str]


def _examples() -> Mapping[str, ExampleImage]:
    lock = inventory_from_lock(data.shipped_file("requirements.lock"))
    minimal = {n: lock[n] for n in MINIMAL_PACKAGES if n in lock}
    older = dict(lock)
    older.update({n: v for n, (v, _) in OLDER_PINS.items()})
    changed = ", ".join(f"{n} {v}" for n, (v, _) in OLDER_PINS.items())
    return MappingProxyType(
        {
            "minimal": ExampleImage(
                "minimal",
                f"example drawn from the course's lock: {len(minimal)} packages "
                f"({', '.join(minimal)}) at the lock's versions",
                MappingProxyType(minimal),
            ),
            "full": ExampleImage(
                "full",
                f"example drawn from the course's lock: all {len(lock)} packages it pins for this Python",
                MappingProxyType(lock),
            ),
            "older": ExampleImage(
                "older",
                f"synthetic: the course's lock with {changed} set back to versions the advisories name as affected",
                MappingProxyType(older),
            ),
        }
    )


#: The example inventories: "minimal", "full" (the course's lock) and "older" (synthetic downgrades).
EXAMPLE_IMAGES: Mapping[str, ExampleImage] = _examples()


def scan(
    inventory: Mapping[str, str], advisories: Iterable[Advisory] | None = None, *, label: str = "inventory"
) -> Scan:
    """Check every package/version of ``inventory`` against the advisories.

    Parameters
    ----------
    inventory:
        Package name -> version text. Names are normalized (PEP 503).
    advisories:
        The advisories to check (default: :func:`load_advisories`).
    label:
        A name for the inventory, used in the summary and the figure.

    Returns
    -------
    Scan
        Findings sorted by package and advisory id; entries whose name or version
        cannot be read are listed in ``invalid`` (never raised).

    Raises
    ------
    ValueError
        If ``inventory`` is not a mapping or ``advisories`` holds something else than :class:`Advisory`.
    """
    if not isinstance(inventory, Mapping):
        raise ValueError(f"the inventory must be a mapping of package name -> version, got {type(inventory).__name__}")
    advs = load_advisories() if advisories is None else tuple(advisories)
    if not all(isinstance(a, Advisory) for a in advs):
        raise ValueError("advisories must be Advisory objects (see load_advisories())")
    by_package: dict[str, list[Advisory]] = {}
    for a in advs:
        by_package.setdefault(a.package, []).append(a)
    findings, invalid = [], []
    for name, raw in inventory.items():
        if not isinstance(name, str) or not name.strip():
            invalid.append((repr(name), repr(raw), "the package name is not a non-empty text"))
            continue
        if not isinstance(raw, str):
            invalid.append((name, repr(raw), "the version is not text"))
            continue
        try:
            version = Version(raw.strip())
        except InvalidVersion:
            invalid.append((name, raw[:60], "not a PEP 440 version"))
            continue
        for a in by_package.get(envcheck.normalize(name), ()):
            if a.affects(version):
                findings.append(
                    Finding(
                        envcheck.normalize(name),
                        raw.strip(),
                        a.id,
                        a.aliases,
                        a.fixed,
                        a.published,
                        a.summary,
                        a.citation,
                    )
                )
    findings.sort(key=lambda f: (f.package, f.advisory))
    return Scan(str(label), len(inventory), tuple(findings), tuple(invalid), len(advs))
