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

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import plotly.graph_objects as go

from .figures import new_figure
from .theme import COLORS

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
#: Installed but never declared on purpose: the installer's own tools and the course itself.
TOOLING = ("pip", "setuptools", "wheel", "containers-vs-vms-course")
STATUSES = ("same", "different", "missing", "undeclared")
STATUS_TEXT = {
    "same": "as declared",
    "different": "another version is installed",
    "missing": "declared, not installed",
    "undeclared": "installed, not declared",
}
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


def installed() -> dict[str, str]:
    """Name -> version of every distribution installed in this environment."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[normalize(name)] = dist.version
    return found


def compare(declared: Mapping[str, str], actual: Mapping[str, str], *, ignore: Iterable[str] = (),
            declared_from: str = "declared", actual_from: str = "actual") -> EnvReport:
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


def course_environment(lock: Path | None = None) -> EnvReport:
    """This kernel's installed packages against the course's ``requirements.lock``."""
    path = Path(lock) if lock is not None else LOCK
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the lock file {path.name}: {exc.strerror}") from None
    return compare(declared_pins(text), installed(), ignore=TOOLING,
                   declared_from=path.name, actual_from="this kernel's environment")


RECORDING = "environment_2026-11-26.json"


def environment_report(live: str = "auto") -> tuple[EnvReport, str]:
    """The course's declared environment against this kernel's (live) or a recorded one.

    Returns the report and one sentence saying which it is. Reading installed
    package metadata works everywhere, so ``"auto"`` and ``"on"`` are always
    live; ``"off"`` shows the comparison recorded on the course's build machine.
    """
    from . import data
    from .probe import LIVE_MODES

    if live not in LIVE_MODES:
        raise ValueError(f"live must be one of {', '.join(LIVE_MODES)}; got {live!r}")
    if live != "off":
        return course_environment(), "Live: the packages installed in the environment of this notebook's kernel."
    rec = data.recording(RECORDING)
    report = compare(declared_pins(LOCK.read_text(encoding="utf-8")), rec["installed"], ignore=TOOLING,
                     declared_from=LOCK.name, actual_from=f"the course's build machine on {rec['recorded_on']}")
    return report, (f"live='off': showing the comparison recorded on {rec['recorded_on']} on the course's build "
                    f"machine ({rec['machine']['platform']}, Python {rec['machine']['python']}), not this kernel.")


def summarize(report: EnvReport) -> str:
    """One sentence: how many packages match and what differs."""
    c = report.counts
    verdict = ("this environment is consistent with its manifest" if report.consistent
               else "this environment does NOT match its manifest")
    return (f"Of {len(report.rows)} packages, {c['same']} are exactly as declared in {report.declared_from}, "
            f"{c['different']} differ in version, {c['missing']} are missing and {c['undeclared']} are installed "
            f"without being declared: {verdict}.")


def figure(report: EnvReport) -> go.Figure:
    """A bar per status: how many packages are as declared, differ, are missing or undeclared."""
    c = report.counts
    colours = {"same": COLORS["container"], "different": COLORS["sandbox"], "missing": COLORS["vm"],
               "undeclared": COLORS["other"]}
    fig = new_figure(f"Declared ({report.declared_from}) vs installed packages", "",
                     "packages (count)", height=320, showlegend=False)
    fig.add_bar(x=[STATUS_TEXT[s] for s in STATUSES], y=[c[s] for s in STATUSES],
                marker_color=[colours[s] for s in STATUSES], text=[c[s] for s in STATUSES],
                textposition="outside", cliponaxis=False)
    return fig


def report_html(report: EnvReport, limit: int = 40) -> str:
    """The differences as an HTML table (everything that is not 'same')."""
    problems = report.problems()
    if not problems:
        return f"<p>✔ Every package declared in {html.escape(report.declared_from)} is installed at its version.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(r.declared or '—')}</td>"
        f"<td>{html.escape(r.actual or '—')}</td><td>{STATUS_TEXT[r.status]}</td></tr>"
        for r in problems[:limit]
    )
    more = f"<p><i>… and {len(problems) - limit} more.</i></p>" if len(problems) > limit else ""
    return (f"<table class='cvm-envdiff'><thead><tr><th>package</th><th>declared</th><th>installed</th>"
            f"<th>difference</th></tr></thead><tbody>{rows}</tbody></table>{more}")
