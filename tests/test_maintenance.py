"""The maintainer's habits: the git hook, CI for forks, the citation, the changelog, the licence and releases.

The hooks and the release are run from a fresh clone of the committed tree (what a fork gets), with this
checkout's environment (.venv linked in) and, where the kernel allows, with no network at all: every hook is
local, and a release builds offline.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml

import widgets
from tests.conftest import ROOT
from tools import attribution, policy

LESSON = "lessons/00-start-here.ipynb"


def _offline_prefix() -> list[str]:
    """Run in a new network namespace (loopback only) where the kernel allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-rn"]
    return []


OFFLINE = _offline_prefix()


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of the committed tree, with this checkout's .venv linked in and its own pre-commit home."""
    path = tmp_path_factory.mktemp("fork") / "course"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(path)], check=True, timeout=120)
    (path / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    with (path / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write(".venv\n")  # .gitignore's `.venv/` matches a directory, not this link
    for key, value in (("user.name", "A forker"), ("user.email", "forker@example.org")):
        subprocess.run(["git", "-C", str(path), "config", key, value], check=True)
    return path


def _env(clone: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(clone.parent / "pre-commit-home")
    return env


def precommit(clone: Path, *args: str, offline: bool = True) -> subprocess.CompletedProcess:
    cmd = [*(OFFLINE if offline else []), sys.executable, "-m", "pre_commit", *args]
    return subprocess.run(cmd, cwd=clone, env=_env(clone), capture_output=True, text=True, timeout=600, check=False)


def _restore(clone: Path, *paths: str) -> None:
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "HEAD", "--", *paths], check=True)
    subprocess.run(["git", "-C", str(clone), "clean", "-qfd"], check=True)


# -- the git hook ----------------------------------------------------------------------------------------------
def test_every_hook_is_local_and_uses_the_course_environment(root):
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "remote hook repositories need a code host"
    assert {h["id"] for h in hooks} >= {"ruff-check", "ruff-format", "notebook-policy", "data-described"}
    for hook in hooks:
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/python -m "), hook["id"]
    assert "pre-commit run --all-files" in (root / "Makefile").read_text(), "make lint runs the same hooks"


def test_precommit_passes_on_a_fresh_clone_without_network(clone):
    proc = precommit(clone, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("ruff check", "ruff format", "notebook policy", "data files described", "no large files"):
        assert re.search(rf"{name}.*Passed", proc.stdout), f"{name} did not run and pass:\n{proc.stdout}"


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda nb: nb.metadata.__setitem__("widgets", {"application/vnd.jupyter.widget-state+json": {}}),
         ["widget state", "tools.execute_notebooks", "Save Widget State Automatically"]),
        (lambda nb: nb.metadata.pop("kernelspec"), ["kernelspec", "tools.policy set-kernel", "Change Kernel"]),
    ],
    ids=["widget-state", "no-kernelspec"],
)  # fmt: skip
def test_a_commit_of_a_spoilt_notebook_is_refused_with_the_fix(clone, spoil, words):
    path = clone / LESSON
    nb = nbformat.read(path, as_version=4)
    spoil(nb)
    nbformat.write(nb, path)
    git = ["git", "-C", str(clone)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout
    try:
        assert precommit(clone, "install").returncode == 0
        subprocess.run([*git, "add", LESSON], check=True)
        proc = subprocess.run(
            [*OFFLINE, *git, "commit", "-qm", "a spoilt lesson"], env=_env(clone), capture_output=True, text=True
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0, f"the commit was accepted:\n{out}"
        assert "notebook policy" in out and "Failed" in out, out
        for word in words:
            assert word in out, f"the refusal does not say {word!r}:\n{out}"
        assert subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout == head
    finally:
        subprocess.run([*git, "reset", "-q", "HEAD", "--", LESSON], check=True)
        _restore(clone, LESSON)
        precommit(clone, "uninstall")


def test_the_kernelspec_fix_the_message_gives_works(tmp_path):
    path = tmp_path / "lesson.ipynb"
    nb = nbformat.read(ROOT / LESSON, as_version=4)
    nb.metadata.pop("kernelspec")
    nbformat.write(nb, path)
    assert policy.check_notebook(path, ("kernelspec",))
    assert policy.main(["set-kernel", str(path)]) == 0
    assert policy.check_notebook(path) == []


def test_plotly_bundle_disorder_and_size_are_refused(tmp_path):
    nb = nbformat.read(ROOT / LESSON, as_version=4)
    cases = {
        "plotly-bundle": ("/*! For license information please see plotly.min.js.LICENSE.txt */", "show_figure"),
        "executed-in-order": (None, "execution count"),
        "size": ("x" * (policy.MAX_NOTEBOOK_KB * 1024), "KB limit"),
    }
    for rule, (text, words) in cases.items():
        spoilt = copy.deepcopy(nb)
        code = next(c for c in spoilt.cells if c.cell_type == "code" and c.source.strip())
        if text is None:
            code.execution_count = 7
        else:
            code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        path = tmp_path / f"{rule}.ipynb"
        nbformat.write(spoilt, path)
        problems = policy.check_notebook(path)
        assert any(words in p for p in problems), (rule, problems)
        assert all("tools.execute_notebooks" in p or "set-kernel" in p for p in problems), problems


def test_undescribed_data_and_large_files_are_refused(clone):
    (clone / "data" / "stray.csv").write_text("a\n1\n")
    (clone / "big.bin").write_bytes(b"\0" * (policy.MAX_FILE_KB + 1) * 1024)
    try:
        subprocess.run(["git", "-C", str(clone), "add", "data/stray.csv", "big.bin"], check=True)
        proc = precommit(clone, "run", "--files", "data/stray.csv", "big.bin")
        assert proc.returncode == 1, proc.stdout
        assert "not described in datapackage.json" in proc.stdout and "CONTRIBUTING.md" in proc.stdout
        assert "big.bin" in proc.stdout and "KB limit" in proc.stdout
    finally:
        subprocess.run(["git", "-C", str(clone), "reset", "-q"], check=True)
        _restore(clone, "data")


# -- CI for forks ----------------------------------------------------------------------------------------------
def test_the_workflow_runs_ci_run_on_ubuntu_on_push_pull_request_and_weekly(root):
    flow = yaml.safe_load((root / ".github" / "workflows" / "ci.yml").read_text())
    schema = json.loads((root / "tools" / "schemas" / "github-workflow.json").read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(flow)]
    assert not errors, errors
    triggers = flow["on"]
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    (cron,) = [s["cron"] for s in triggers["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert day == month == "*" and weekday.isdigit(), f"{cron!r} is not a weekly schedule"
    (job,) = flow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu")
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert any(re.search(r"\bsudo\b.*\bbash \.ci/run$", r.strip()) for r in runs), runs
    assert (root / ".ci" / "run").exists()


# -- citation, version, changelog, licence ---------------------------------------------------------------------
def _cff_validator(root: Path) -> jsonschema.Draft7Validator:
    schema = json.loads((root / "tools" / "schemas" / "citation-file-format-1.2.0.json").read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_citation_cff_validates_and_carries_the_version(root):
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in _cff_validator(root).iter_errors(cff)]
    assert not errors, errors
    assert cff["version"] == widgets.__version__
    broken = {k: v for k, v in cff.items() if k != "authors"} | {"date-released": "3 December"}
    assert len(list(_cff_validator(root).iter_errors(broken))) >= 2, "the schema check would miss a broken file"


def test_the_version_is_written_once(root):
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in meta["project"] and meta["project"]["dynamic"] == ["version"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "widgets.__version__"}
    from importlib.metadata import version

    assert version("containers-vs-vms-course") == widgets.__version__, "run make install"


def test_changelog_keeps_a_changelog(root):
    text = (root / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n") and "keepachangelog.com" in text
    versions = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.M)
    assert versions[0] == ("Unreleased", ""), "the first section is Unreleased"
    for name, rest in versions[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", name) and re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), name
    assert widgets.__version__ in [name for name, _ in versions], "CHANGELOG.md has no section for the version"
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def test_licence_states_both_licences_and_lists_every_source_from_the_data(root, tmp_path):
    text = (root / "LICENSE.md").read_text()
    assert "CC BY 4.0" in text and "MIT" in text
    assert "MIT" in tomllib.loads((root / "pyproject.toml").read_text())["project"]["license"]["text"]
    assert attribution.check() == [], "run `.venv/bin/python -m tools.attribution --write`"
    package = json.loads((root / "data" / "datapackage.json").read_text())
    for src in package["sources"]:
        assert f"| `{src['id']}` |" in text
    package["sources"][0]["licence"] = "CC BY-NC 4.0 (the paper's footer)"
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    (tmp_path / "LICENSE.md").write_text(text)
    assert attribution.check(tmp_path / "LICENSE.md", tmp_path / "datapackage.json"), "a drift goes unnoticed"


# -- releases --------------------------------------------------------------------------------------------------
def test_make_release_from_a_fresh_clone(clone):
    env = _env(clone) | {"SKIP_TESTS": "1"}
    # -o: the linked .venv is this checkout's; make must not reinstall it from the clone.
    make = [*OFFLINE, "make", "-o", ".venv/.installed", "release"]
    (clone / "stray.txt").write_text("not committed\n")
    proc = subprocess.run(make, cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode != 0 and "not clean" in proc.stderr and "stray.txt" in proc.stderr, proc.stderr
    (clone / "stray.txt").unlink()
    proc = subprocess.run(make, cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "SKIP_TESTS=1" in proc.stdout
    out, ver = clone / "build" / "release", widgets.__version__
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "SHA256SUMS",
            f"containers_vs_vms_course-{ver}-py3-none-any.whl",
            f"containers-vs-vms-course-{ver}-src.tar.gz",
            f"containers-vs-vms-course-student-{ver}.zip",
            f"containers-vs-vms-course-site-{ver}.zip",
        ]
    ), names
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 4, check.stdout + check.stderr
    with zipfile.ZipFile(out / f"containers_vs_vms_course-{ver}-py3-none-any.whl") as zf:
        assert {"widgets/_data/datapackage.json", "widgets/_data/startup_times.csv"} <= set(zf.namelist())
    with zipfile.ZipFile(out / f"containers-vs-vms-course-student-{ver}.zip") as zf:
        lessons = [n for n in zf.namelist() if n.endswith(".ipynb")]
        assert len(lessons) == len(list((clone / "lessons").glob("*.ipynb")))
        assert not any(b"BEGIN SOLUTION" in zf.read(n) for n in lessons)
    with zipfile.ZipFile(out / f"containers-vs-vms-course-site-{ver}.zip") as zf:
        assert f"containers-vs-vms-course-site-{ver}/index.html" in zf.namelist()


def test_release_refuses_failing_tests_and_an_unrecorded_version(tmp_path, monkeypatch):
    from tools import release

    monkeypatch.delenv("SKIP_TESTS", raising=False)
    ran = []

    def failing_make(cmd, **kwargs):
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 2)

    monkeypatch.setattr(release.subprocess, "run", failing_make)
    with pytest.raises(release.ReleaseError, match="make test failed"):
        release.run_tests(tmp_path)
    assert ran == [["make", "test"]]
    monkeypatch.undo()
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path / name)
    release.check_version_recorded(tmp_path, widgets.__version__)
    with pytest.raises(release.ReleaseError, match=r"CHANGELOG.md has no section '## \[9.9.9\]"):
        release.check_version_recorded(tmp_path, "9.9.9")
    (tmp_path / "CHANGELOG.md").write_text((ROOT / "CHANGELOG.md").read_text() + "\n## [9.9.9] - 2027-01-01\n")
    with pytest.raises(release.ReleaseError, match="CITATION.cff's version is not 9.9.9"):
        release.check_version_recorded(tmp_path, "9.9.9")
