"""``make release``: the course's versioned artefacts and their checksums, from a clean tree whose tests pass.

Into ``build/release/`` (``--out``), each named with the version (``widgets.__version__``, the one place it is
written):

* ``containers_vs_vms_course-VERSION-py3-none-any.whl``: the package with the data (``widgets/_data``);
* ``containers-vs-vms-course-VERSION-src.tar.gz``: the committed tree (``git archive``);
* ``containers-vs-vms-course-student-VERSION.zip``: the lessons without solutions (``tools/student.py``);
* ``containers-vs-vms-course-site-VERSION.zip``: the offline static site (``tools/site.py``);
* ``SHA256SUMS``: their checksums, in the format ``sha256sum -c SHA256SUMS`` reads.

Before building it refuses a tree with changes or untracked files (a release is a commit), a version that
CHANGELOG.md or CITATION.cff do not carry, and failing tests (``make test``). ``SKIP_TESTS=1`` skips the tests:
it exists for the release's own test (tests/test_maintenance.py), which cannot run the whole suite inside itself.

Usage: python -m tools.release [--out build/release]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "containers-vs-vms-course"


class ReleaseError(RuntimeError):
    """A release cannot be made; the message says why and what to do."""


def version(root: Path = ROOT) -> str:
    """``widgets.__version__``, read from the source (the tree being released, not an installed copy)."""
    text = (root / "widgets" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if not m:
        raise ReleaseError('widgets/__init__.py has no line __version__ = "X.Y.Z"')
    return m.group(1)


def check_version_recorded(root: Path, ver: str) -> None:
    """CHANGELOG.md has a section for ``ver`` and CITATION.cff carries it."""
    if not re.search(rf"^## \[{re.escape(ver)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", _read(root / "CHANGELOG.md"), re.M):
        raise ReleaseError(f"CHANGELOG.md has no section '## [{ver}] - YYYY-MM-DD': move 'Unreleased' under it")
    if not re.search(rf"^version: \"?{re.escape(ver)}\"?$", _read(root / "CITATION.cff"), re.M):
        raise ReleaseError(f"CITATION.cff's version is not {ver}: set version and date-released")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _run(cmd: list[str], cwd: Path, what: str, timeout: int = 1800) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise ReleaseError(f"{what} failed ({' '.join(cmd)}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


def check_clean(root: Path) -> None:
    status = _run(["git", "status", "--porcelain", "--untracked-files=normal"], root, "git status")
    if status.strip():
        raise ReleaseError(
            "the tree is not clean (a release is built from a commit): commit or stash these first:\n" + status
        )


def run_tests(root: Path) -> None:
    if os.environ.get("SKIP_TESTS") == "1":
        print("== SKIP_TESTS=1: the tests are not run (only for the release's own test)")
        return
    print("== make test (the release needs every test to pass)", flush=True)
    proc = subprocess.run(["make", "test"], cwd=root, check=False)
    if proc.returncode != 0:
        raise ReleaseError(f"make test failed (exit {proc.returncode}): no release")


def _zip_dir(src: Path, dest: Path, top: str) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in src.rglob("*") if p.is_file()):
            zf.write(path, f"{top}/{path.relative_to(src).as_posix()}")


def build(root: Path, out: Path, ver: str) -> list[Path]:
    """Build every artefact into ``out`` (emptied first); return their paths."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="release-") as tmp_name:
        tmp = Path(tmp_name)
        source = out / f"{NAME}-{ver}-src.tar.gz"
        _run(["git", "archive", "--format=tar.gz", f"--prefix={NAME}-{ver}/", "-o", str(source), "HEAD"],
             root, "git archive")  # fmt: skip
        with tarfile.open(source) as tar:
            tar.extractall(tmp, filter="data")
        tree = tmp / f"{NAME}-{ver}"
        print("== the wheel (with the data), built offline from the committed tree", flush=True)
        _run([python, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(tree)],
             root, "pip wheel")  # fmt: skip
        wheel = next(out.glob("*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
        if "widgets/_data/datapackage.json" not in names or not any(n.endswith(".csv") for n in names):
            raise ReleaseError(f"{wheel.name} carries no data (widgets/_data): see pyproject.toml [tool.setuptools]")
        if f"-{ver}-" not in wheel.name:
            raise ReleaseError(f"{wheel.name} does not carry the version {ver}")
        print("== the student version (solutions removed)", flush=True)
        _run([python, "-m", "tools.student", "--out", str(tmp / "student")], tree, "tools.student")
        student = out / f"{NAME}-student-{ver}.zip"
        _zip_dir(tmp / "student", student, f"{NAME}-student-{ver}")
        print("== the static site (offline)", flush=True)
        _run([python, "-m", "tools.site", "--out", str(tmp / "site")], tree, "tools.site")
        site = out / f"{NAME}-site-{ver}.zip"
        _zip_dir(tmp / "site", site, f"{NAME}-site-{ver}")
    artefacts = [wheel, source, student, site]
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in artefacts)
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return artefacts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=ROOT / "build" / "release", type=Path)
    args = parser.parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    try:
        ver = version(ROOT)
        print(f"== release {ver} of {NAME}")
        check_clean(ROOT)
        check_version_recorded(ROOT, ver)
        run_tests(ROOT)
        artefacts = build(ROOT, out, ver)
    except ReleaseError as exc:
        print(f"make release: {exc}", file=sys.stderr)
        return 1
    for path in artefacts:
        print(f"{path.stat().st_size / 1024:10.0f} KB  {path}")
    print(f"== {out / 'SHA256SUMS'}: check with `cd {out} && sha256sum -c SHA256SUMS`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
