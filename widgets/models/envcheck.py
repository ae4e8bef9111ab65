"""Declared versus actual: does the running environment match its manifest?

"It works on my machine" usually means two machines hold different versions
of something. A container image fixes the versions by shipping them; the
course does the same with ``requirements.lock``. :func:`compare` checks any
declared state (name -> version) against an actual one and names every
difference; :func:`course_environment` applies it to this very kernel: the
lock file's pins (with their environment markers evaluated for this Python
and platform) against the packages installed here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Installed but never declared on purpose: the installer's own tools and the course itself.
TOOLING = ("pip", "setuptools", "wheel", "containers-vs-vms-course")


STATUSES = ("same", "different", "missing", "undeclared")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.+))?$")


def normalize(name: str) -> str:
    """A package name as PyPI compares them (PEP 503): lower case, runs of -_. as '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Difference:
    """One package: what was declared, what is there, and the verdict."""

    name: str
    declared: str | None
    actual: str | None
    status: str


@dataclass(frozen=True)
class EnvReport:
    """Every package compared, and counts per status."""

    rows: tuple[Difference, ...]
    declared_from: str
    actual_from: str

    @property
    def counts(self) -> dict[str, int]:
        """Packages per status (every status present, zero included)."""
        found = Counter(r.status for r in self.rows)
        return {s: found.get(s, 0) for s in STATUSES}

    @property
    def consistent(self) -> bool:
        """True when nothing declared is missing or at another version."""
        return self.counts["different"] == 0 and self.counts["missing"] == 0

    def problems(self) -> tuple[Difference, ...]:
        """The rows that are not 'same'."""
        return tuple(r for r in self.rows if r.status != "same")


def declared_pins(lock_text: str, environment: Mapping[str, str] | None = None) -> dict[str, str]:
    """Parse ``name==version ; marker`` lines, keeping those whose marker holds here.

    Parameters
    ----------
    lock_text:
        The text of a pip/uv lock file (comments and ``# via`` lines are skipped).
    environment:
        Marker variables to evaluate against (default: this interpreter's).

    Raises
    ------
    ValueError
        If a line looks like a requirement but is not a ``==`` pin, or a marker is invalid.
    """
    from packaging.markers import InvalidMarker, Marker

    if not isinstance(lock_text, str):
        raise ValueError("the lock file's text must be a string")
    pins: dict[str, str] = {}
    for n, raw in enumerate(lock_text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        m = _PIN.match(line)
        if not m:
            raise ValueError(f"line {n} of the lock file is not a 'name==version' pin: {line[:60]!r}")
        name, version, marker = m.groups()
        if marker:
            try:
                if not Marker(marker).evaluate(dict(environment) if environment else None):
                    continue
            except InvalidMarker as exc:
                raise ValueError(f"line {n} of the lock file has an invalid marker: {exc}") from None
        pins[normalize(name)] = version
    return pins


def compare(
    declared: Mapping[str, str],
    actual: Mapping[str, str],
    *,
    ignore: Iterable[str] = (),
    declared_from: str = "declared",
    actual_from: str = "actual",
) -> EnvReport:
    """Compare a declared state with an actual one, name by name.

    Parameters
    ----------
    declared, actual:
        Name -> version (or any value that should match).
    ignore:
        Names to leave out of the comparison (e.g. the installer's own tools).
    """
    for what, mapping in (("declared", declared), ("actual", actual)):
        if not isinstance(mapping, Mapping):
            raise ValueError(f"the {what} state must be a mapping of name -> version")
    skip = {normalize(n) for n in ignore}
    d = {normalize(k): str(v) for k, v in declared.items() if normalize(k) not in skip}
    a = {normalize(k): str(v) for k, v in actual.items() if normalize(k) not in skip}
    rows = []
    for name in sorted(set(d) | set(a)):
        if name not in a:
            status = "missing"
        elif name not in d:
            status = "undeclared"
        else:
            status = "same" if d[name] == a[name] else "different"
        rows.append(Difference(name, d.get(name), a.get(name), status))
    return EnvReport(tuple(rows), declared_from, actual_from)
