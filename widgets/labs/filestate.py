"""The drift detector (lesson 06): a desired-state manifest against a real directory tree.

:func:`actual_state` reads each file's mode and sha256; :func:`detect` compares it with a manifest and names
what changed, disappeared or appeared. :func:`lab` builds a small "server" in a temporary directory, which
:func:`hotfix` then changes by hand, as an administrator would; nothing outside that directory is touched.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from hashlib import sha256
from pathlib import Path

from ..models.envcheck import Difference, EnvReport, compare


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
    """Compare a tree with its manifest, path by path, with :func:`widgets.models.envcheck.compare`.

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
    report = compare(
        {k.encode().hex(): v for k, v in wanted.items()},
        {k.encode().hex(): v for k, v in actual.items()},
        declared_from="the manifest",
        actual_from=str(root),
    )
    rows = tuple(Difference(bytes.fromhex(r.name).decode(), r.declared, r.actual, r.status) for r in report.rows)
    return EnvReport(rows, report.declared_from, report.actual_from)


def write_manifest(desired: Mapping[str, str], path: str | Path) -> None:
    """Write a manifest as JSON: ``{"files": {path: "mode sha256"}}``."""
    text = json.dumps({"files": _check_manifest(desired)}, indent=1, sort_keys=True)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_manifest(path: str | Path) -> dict[str, str]:
    """Read a manifest written by :func:`write_manifest`; ValueError (never a traceback) if malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"cannot read the manifest {Path(path).name}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the manifest is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
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
    return [
        "copied etc/app.conf to etc/app.conf.bak (added)",
        "edited 'workers = 4' to 16 in etc/app.conf (changed)",
        "chmod 777 bin/app.sh (changed)",
        "deleted var/log/app.log to free space (removed)",
    ]


@contextmanager
def lab() -> Iterator[tuple[Path, dict[str, str]]]:
    """A demo tree in a temporary directory prefixed ``cvm-drift-``, removed on exit, also on error."""
    tmp = Path(tempfile.mkdtemp(prefix="cvm-drift-"))
    try:
        yield demo_tree(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
