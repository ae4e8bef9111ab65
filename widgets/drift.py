"""Configuration drift: hand-managed servers wander away from their manifest.

Two parts, one idea.

* :func:`simulate_drift`: a fleet of VMs and a fleet of containers receive the
  *same* unrecorded hand changes (synthetic, from a seeded random generator:
  each server, each day, with probability ``p_change``). A server has drifted
  from its manifest if it had at least one change since its last rebuild.
  Containers are rebuilt from the manifest every K days, VMs every R days or
  never; an audit every A days finds the drifted servers. Time line of a day
  ``d`` (0-based): the day's changes, then at its end the recorded state, the
  audit (if ``(d + 1) % A == 0``) and the rebuild (if ``(d + 1) % K == 0``).
  Every hand change is unique (a person, a day, a server), so a server's
  configuration is the set of changes applied since its last rebuild and the
  distinct configurations ("snowflakes") are the drifted servers plus one for
  all the clean ones. Time to detect: from the first change since a rebuild to
  the audit that sees it (0 if the audit is that same evening); a drift that a
  rebuild erases, or that the horizon ends, before an audit is never detected.
  10,000 servers for 365 days take about 30 ms (measured on the course
  machine, 2 cores).
* :func:`detect`: a directory tree against its recorded manifest (path ->
  "mode sha256"), reusing :func:`widgets.envcheck.compare`; :func:`lab` and
  :func:`hotfix` make a small "server" in a temporary directory and drift it.

Every default is an illustrative assumption: set your own.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import validate
from .calculator import Calculator, check_known, number_box
from .envcheck import Difference, EnvReport, compare
from .figures import new_figure
from .theme import COLORS

MAX_SERVERS = 10_000
MAX_DAYS = 3650  # ten years
MAX_SERVER_DAYS = MAX_SERVERS * 366  # keeps the change matrix to a few MB
MAX_PERIOD = 36_500  # a century: longer than any horizon, so "never within the horizon"

#: Starting values: illustrative assumptions, set your own.
DEFAULTS: dict[str, float | int] = {
    "n_servers": 1000,
    "days": 365,
    "p_change": 0.01,
    "vm_rebuild_days": 0,
    "container_rebuild_days": 7,
    "audit_days": 30,
    "seed": 0,
}


@dataclass(frozen=True)
class DriftRun:
    """Two fleets under the same hand changes: share drifted per day, snowflakes, time to detect."""

    n_servers: int
    days: int
    p_change: float | None  # None: changes given by hand
    vm_rebuild_days: int  # 0: never
    container_rebuild_days: int
    audit_days: int
    seed: int | None  # None: changes given by hand
    n_changes: int  # change events, the same for both fleets
    drifted_vm: np.ndarray  # share (0..1) of the fleet drifted at the end of each day
    drifted_container: np.ndarray
    snowflakes_vm: np.ndarray  # distinct configurations at the end of each day
    snowflakes_container: np.ndarray
    mttd_vm: float | None  # mean time to detect (days); None: no drift was detected
    mttd_container: float | None
    episodes_vm: int  # drifts (first change since a rebuild) and how many an audit found
    detected_vm: int
    episodes_container: int
    detected_container: int

    @property
    def final_vm(self) -> float:
        """Share of VMs drifted at the end of the last day."""
        return float(self.drifted_vm[-1])

    @property
    def final_container(self) -> float:
        """Share of containers drifted at the end of the last day."""
        return float(self.drifted_container[-1])


def _fleet(server: np.ndarray, day: np.ndarray, days: int, period: int,
           audit: int) -> tuple[np.ndarray, int, int, float | None]:
    """Servers drifted per day, drift episodes, detected episodes, mean time to detect (days).

    ``server`` and ``day`` list the hand changes in server-then-day order (``np.nonzero`` of the
    servers x days matrix). Only the first change since each rebuild matters: the server is drifted from
    that day to the end of its period, so the count per day is a running sum of starts minus ends, with no
    servers x days work (about 12 times faster than scanning the matrix, the same counts).
    """
    k = days if period == 0 or period >= days else period
    key = server.astype(np.int64) * (-(-days // k)) + day // k  # one key per server and period between rebuilds
    first_of_period = np.ones(key.size, dtype=bool)
    first_of_period[1:] = key[1:] != key[:-1]  # sorted keys: the first of each run is the earliest change
    first = day[first_of_period]
    last_day = np.minimum(first // k * k + k - 1, days - 1)
    drifted = np.cumsum(np.bincount(first, minlength=days + 1) - np.bincount(last_day + 1, minlength=days + 1))
    audit_day = -(-(first + 1) // audit) * audit - 1  # the first audit evening on or after it
    found = audit_day <= last_day
    mttd = float((audit_day - first)[found].mean()) if found.any() else None
    return drifted[:days], int(first.size), int(found.sum()), mttd


def _from_changes(changes: np.ndarray, vm_rebuild_days: int, container_rebuild_days: int, audit_days: int,
                  p_change: float | None = None, seed: int | None = None) -> DriftRun:
    """Run both fleets through a given boolean change matrix (servers x days); the periods are validated."""
    changes = np.asarray(changes)
    if changes.dtype != bool or changes.ndim != 2 or 0 in changes.shape:
        raise ValueError("changes must be a non-empty boolean matrix of servers x days")
    vm = validate.integer("VM rebuild period", vm_rebuild_days, minimum=0, maximum=MAX_PERIOD)
    ct = validate.integer("container rebuild period", container_rebuild_days, minimum=1, maximum=MAX_PERIOD)
    audit = validate.integer("audit period", audit_days, minimum=1, maximum=MAX_PERIOD)
    n, days = changes.shape
    server, day = np.nonzero(changes)
    out = []
    for period in (vm, ct):
        count, episodes, found, mttd = _fleet(server, day, days, period, audit)
        out.append((count / n, count + (count < n), episodes, found, mttd))
    (share_v, snow_v, ep_v, det_v, mttd_v), (share_c, snow_c, ep_c, det_c, mttd_c) = out
    return DriftRun(n, days, p_change, vm, ct, audit, seed, int(changes.sum()), share_v, share_c,
                    snow_v, snow_c, mttd_v, mttd_c, ep_v, det_v, ep_c, det_c)


def simulate_drift(n_servers: int | str = 1000, days: int | str = 365, p_change: float | str = 0.01,
                   vm_rebuild_days: int | str = 0, container_rebuild_days: int | str = 7,
                   audit_days: int | str = 30, seed: int | str = 0) -> DriftRun:
    """Drift a fleet of VMs and one of containers with the same synthetic hand changes.

    Parameters
    ----------
    n_servers:
        Servers in each fleet (1 to 10,000).
    days:
        The horizon in days (1 to 3650); servers x days at most 3,660,000.
    p_change:
        Probability per server per day of an unrecorded hand change (0 to 1).
    vm_rebuild_days:
        VMs are rebuilt from the manifest every this many days; 0 = never.
    container_rebuild_days:
        Containers are rebuilt from the manifest every this many days (at least 1).
    audit_days:
        An audit every this many days finds the drifted servers (at least 1).
        A period longer than the horizon means no rebuild (or audit) within it.
    seed:
        Seed of the synthetic changes (same seed, same changes).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("servers", n_servers, minimum=1, maximum=MAX_SERVERS)
    d = validate.integer("days", days, minimum=1, maximum=MAX_DAYS)
    p = validate.number("change probability", p_change, minimum=0, maximum=1)
    seed_ = validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    if n * d > MAX_SERVER_DAYS:
        raise ValueError(f"{n:,} servers x {d:,} days is too many server-days to simulate (at most "
                         f"{MAX_SERVER_DAYS:,}); lower the servers or days")
    changes = np.random.default_rng(seed_).random((n, d), dtype=np.float32) < p
    return _from_changes(changes, vm_rebuild_days, container_rebuild_days, audit_days, p, seed_)


def _pct(share: float) -> str:
    return f"{100 * share:.3g}%"


def _every(days: int, horizon: int) -> str:
    if days == 0 or days > horizon:
        return "never rebuilt"
    return f"rebuilt every {days} days"


def summarize(r: DriftRun) -> str:
    """One sentence: drifted shares at the end and at worst, and how fast the audit finds drift."""
    where = f"synthetic, seed {r.seed}" if r.seed is not None else "given by hand"
    vm_kind = "hand-managed VMs" if r.vm_rebuild_days == 0 else f"VMs ({_every(r.vm_rebuild_days, r.days)})"
    head = (f"After {r.days} days and {r.n_changes:,} hand changes ({where}), {_pct(r.final_vm)} of the "
            f"{r.n_servers:,} {vm_kind} differ from their manifest, against at most "
            f"{_pct(float(r.drifted_container.max()))} of the containers "
            f"({_every(r.container_rebuild_days, r.days)}) and {int(r.snowflakes_vm[-1]):,} distinct VM "
            f"configurations against {int(r.snowflakes_container[-1]):,}")
    if r.audit_days > r.days:
        return f"{head}; no audit falls within the {r.days} days (one every {r.audit_days} days)."
    if r.mttd_vm is None:
        audit = f"an audit every {r.audit_days} days found no drifted VM"
    else:
        audit = f"an audit every {r.audit_days} days finds a drifted VM after {r.mttd_vm:.3g} days on average"
    if r.mttd_container is None:
        audit += ", and no drifted container"
    else:
        audit += f", a drifted container after {r.mttd_container:.3g} days"
    erased = r.episodes_container - r.detected_container
    return f"{head}; {audit} ({erased:,} container drifts ended unseen, erased by a rebuild or the horizon)."


def draw(fig: go.Figure, r: DriftRun) -> None:
    """Redraw the share of each fleet drifted per day."""
    vms, containers = fig.data
    if vms.x is None or len(vms.x) != r.days:  # the days only change with the horizon
        vms.x = containers.x = np.arange(1, r.days + 1)
    vms.y, containers.y = 100 * r.drifted_vm, 100 * r.drifted_container  # arrays: plotly checks them faster
    vms.name = f"VMs ({_every(r.vm_rebuild_days, r.days)})"
    containers.name = f"containers ({_every(r.container_rebuild_days, r.days)})"
    fig.layout.xaxis.range = [0.5, r.days + 0.5]
    fig.layout.yaxis.range = [0, max(5.0, 105 * float(max(r.drifted_vm.max(), r.drifted_container.max())))]


def figure(r: DriftRun, *, widget: bool = False) -> go.Figure:
    """Drifted share (%) per day: VMs (blue) and containers (orange)."""
    fig = new_figure("Servers that differ from their manifest (synthetic hand changes)", "day (days)",
                     "servers drifted (% of fleet)", widget=widget, height=420,
                     legend={"orientation": "h", "y": -0.2, "x": 0}, margin={"b": 90})
    for key, what in (("vm", "VMs"), ("container", "containers")):
        fig.add_scatter(x=[], y=[], mode="lines", line={"color": COLORS[key], "width": 2}, name=what,
                        hovertemplate=f"day %{{x}}<br>{what} drifted: %{{y:.3g}}%<extra></extra>")
    draw(fig, r)
    return fig


class DriftCalculator(Calculator[DriftRun]):
    """Hand changes drift a fleet; rebuilding from the manifest puts it back."""

    def __init__(self, **values: float | int | str) -> None:
        check_known(values, DEFAULTS)
        r = simulate_drift(**{**DEFAULTS, **values})
        labels = {"n_servers": "servers", "days": "days", "p_change": "change probability per server per day",
                  "vm_rebuild_days": "VM rebuild every (days, 0 = never)",
                  "container_rebuild_days": "container rebuild every (days)", "audit_days": "audit every (days)",
                  "seed": "seed"}
        controls: dict[str, ipw.ValueWidget] = {k: number_box(DEFAULTS, k, v, "300px" if len(v) > 12 else "160px")
                                                for k, v in labels.items()}
        for name, value in values.items():
            controls[name].value = str(value)
        super().__init__("drift", controls, simulate_drift, draw, summarize, figure(r, widget=True),
                         layout_rows=[["n_servers", "days", "seed"], ["p_change", "audit_days"],
                                      ["vm_rebuild_days", "container_rebuild_days"]])
        legend = ipw.HTML("<small>Hand changes are synthetic (seeded random). Every input is an illustrative "
                          "assumption: set your own.</small>")
        legend.add_class("cvm-assumptions")
        self.children = (legend, *self.children)


# -- a directory tree against its manifest --------------------------------------------------------

#: envcheck's statuses as drift: what happened to the server since the manifest was recorded.
DRIFT_STATUS = {"same": "unchanged", "different": "changed", "missing": "removed", "undeclared": "added"}


def _digest(path: Path) -> str:
    h = sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _entry(path: Path) -> str:
    """'mode sha256' of a file; a link, special file or unreadable file is described instead."""
    try:
        st = path.lstat()
        mode = f"{stat.S_IMODE(st.st_mode):04o}"
        if stat.S_ISLNK(st.st_mode):
            return f"{mode} link -> {os.readlink(path)}"
        if not stat.S_ISREG(st.st_mode):
            return f"{mode} special file"
        return f"{mode} {_digest(path)}"
    except OSError as exc:
        return f"unreadable ({exc.strerror or type(exc).__name__})"


def actual_state(root: str | Path) -> dict[str, str]:
    """Every file under ``root``: relative path (with '/') -> ``"mode sha256"`` (e.g. ``"0644 3f2a…"``).

    Unreadable files and directories are recorded as ``"unreadable (…)"``, never raised.

    Raises
    ------
    ValueError
        If ``root`` is not an existing directory.
    """
    base = Path(root)
    if not base.is_dir():
        raise ValueError(f"the root directory {str(base)!r} does not exist or is not a directory")
    state: dict[str, str] = {}

    def unreadable(exc: OSError) -> None:
        if exc.filename and Path(exc.filename) != base:
            state[Path(exc.filename).relative_to(base).as_posix() + "/"] = f"unreadable ({exc.strerror})"

    for folder, dirs, files in os.walk(base, onerror=unreadable):
        here = Path(folder)
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            state[(here / name).relative_to(base).as_posix()] = _entry(here / name)
    return dict(sorted(state.items()))


def desired_state(root: str | Path) -> dict[str, str]:
    """Record a tree as its manifest: the same as :func:`actual_state`, taken when it is as it should be."""
    return actual_state(root)


def _check_manifest(desired: object) -> dict[str, str]:
    if not isinstance(desired, Mapping):
        raise ValueError("a manifest must map relative paths to 'mode sha256' strings")
    for path, value in desired.items():
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            raise ValueError(f"a manifest path must be a relative path inside the tree, got {path!r}")
        if not isinstance(value, str):
            raise ValueError(f"the manifest entry for {path!r} must be a 'mode sha256' string, got {value!r}")
    return dict(desired)


def detect(desired: Mapping[str, str], root: str | Path) -> EnvReport:
    """Compare a tree with its manifest, path by path, with :func:`widgets.envcheck.compare`.

    Statuses are envcheck's: ``same``, ``different`` (changed), ``missing``
    (removed) and ``undeclared`` (added); :data:`DRIFT_STATUS` names them as drift.

    Raises
    ------
    ValueError
        If the manifest is malformed or ``root`` is not an existing directory.
    """
    wanted = _check_manifest(desired)
    actual = actual_state(root)
    # compare() normalises names like package names (case, '.', '_'): hex keeps every path distinct and exact.
    report = compare({k.encode().hex(): v for k, v in wanted.items()},
                     {k.encode().hex(): v for k, v in actual.items()},
                     declared_from="the manifest", actual_from=str(root))
    rows = tuple(Difference(bytes.fromhex(r.name).decode(), r.declared, r.actual, r.status) for r in report.rows)
    return EnvReport(rows, report.declared_from, report.actual_from)


def drift_summary(report: EnvReport) -> str:
    """One sentence: how many files are as recorded and what was added, removed or changed."""
    c = report.counts
    if not report.problems():
        return f"All {c['same']} files are exactly as recorded in the manifest: no drift."
    return (f"Drift: {c['undeclared']} added, {c['missing']} removed and {c['different']} changed, "
            f"{c['same']} file{'s' * (c['same'] != 1)} as recorded in the manifest.")


def drift_html(report: EnvReport) -> str:
    """The drifted files as an HTML table: path, manifest, on disk, drift."""
    problems = report.problems()
    if not problems:
        return "<p>✔ Every file is exactly as recorded in the manifest.</p>"
    rows = "".join(f"<tr><td><code>{html.escape(r.name)}</code></td><td>{html.escape(r.declared or '—')}</td>"
                   f"<td>{html.escape(r.actual or '—')}</td><td>{DRIFT_STATUS[r.status]}</td></tr>"
                   for r in problems)
    return ("<table class='cvm-drift'><thead><tr><th>path</th><th>manifest (mode sha256)</th><th>on disk</th>"
            f"<th>drift</th></tr></thead><tbody>{rows}</tbody></table>")


def write_manifest(desired: Mapping[str, str], path: str | Path) -> None:
    """Write a manifest as JSON: ``{"files": {path: "mode sha256"}}``."""
    text = json.dumps({"files": _check_manifest(desired)}, indent=1, sort_keys=True)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_manifest(path: str | Path) -> dict[str, str]:
    """Read a manifest written by :func:`write_manifest`; ValueError (never a traceback) if malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the manifest {Path(path).name}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the manifest is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") \
            from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise ValueError('the manifest must be a JSON object {"files": {"relative/path": "mode sha256"}}')
    return _check_manifest(doc["files"])


_DEMO = {  # path -> (mode, text): a tiny "server"
    "etc/app.conf": (0o644, "port = 8080\nworkers = 4\nlog_level = info\n"),
    "etc/motd": (0o644, "Welcome. This server is managed from its manifest: do not edit by hand.\n"),
    "bin/app.sh": (0o755, "#!/bin/sh\nexec echo 'app started'\n"),
    "var/log/app.log": (0o644, "app started\n"),
}


def demo_tree(tmp_dir: str | Path) -> tuple[Path, dict[str, str]]:
    """Create a small "server" tree under ``tmp_dir``; return its root and its recorded manifest."""
    root = Path(tmp_dir) / "server"
    for rel, (mode, text) in _DEMO.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
    return root, desired_state(root)


def hotfix(root: str | Path) -> list[str]:
    """Make four typical hand changes to a demo tree; return what was done, one line each."""
    base = Path(root)
    conf = base / "etc/app.conf"
    shutil.copy2(conf, base / "etc/app.conf.bak")
    conf.write_text(conf.read_text(encoding="utf-8").replace("workers = 4", "workers = 16"), encoding="utf-8")
    (base / "bin/app.sh").chmod(0o777)
    (base / "var/log/app.log").unlink()
    return ["copied etc/app.conf to etc/app.conf.bak (added)", "edited 'workers = 4' to 16 in etc/app.conf (changed)",
            "chmod 777 bin/app.sh (changed)", "deleted var/log/app.log to free space (removed)"]


@contextmanager
def lab() -> Iterator[tuple[Path, dict[str, str]]]:
    """A demo tree in a temporary directory prefixed ``cvm-drift-``, removed on exit, also on error."""
    tmp = Path(tempfile.mkdtemp(prefix="cvm-drift-"))
    try:
        yield demo_tree(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
