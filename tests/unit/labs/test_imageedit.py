"""Lesson 03's edit lab: the learner's image built (digests measured), run live, or the recording or the model."""

from __future__ import annotations

import platform
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.unit.support.runtime import NO_USERNS, USERNS
from widgets.labs import imageedit

SOLUTION = imageedit.EXAMPLES[2]
RUNS = pytest.mark.skipif(not (USERNS and USERNS.available), reason=NO_USERNS or "no user namespaces")
X86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "aarch64"), reason="the program is x86-64/aarch64")


@pytest.fixture
def own_tmp(monkeypatch):
    """A temporary directory of this test's own (the machine's /tmp is shared), reachable by nobody."""
    top = Path(tempfile.mkdtemp(prefix="test-imageedit-"))
    top.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(top))
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.mark.live
@RUNS
@X86
@pytest.mark.parametrize(
    "layers",
    [
        SOLUTION,
        ["base", "app", "config"],
        ["base", "app", {"/etc/os-release": "ID=changed\n"}],
        ["app", "base", "config", {"/etc": None}],
        ["base", "config"],
    ],
    ids=["solution", "default", "replace", "whiteout-dir", "no-app"],
)
def test_live_runs_show_what_the_model_says(layers, own_tmp):
    run = imageedit.run_image(layers, live="on")
    assert run.live, run.why
    assert run.files == run.model_files
    assert list(own_tmp.iterdir()) == []  # the temporary image and container directories are gone
    if "app" in layers:
        assert "pid: 1" in run.output and run.exit == {"code": 0}
    else:
        assert run.exit == {"code": 127} and "execve /bin/hello: ENOENT" in run.errors[-1]


def test_digests_are_measured_even_without_the_container(monkeypatch):
    run = imageedit.run_image(SOLUTION, live="off")
    assert not run.live and "live='off'" in run.why
    assert run.new_layers == (4, 5) and run.digests[:3] == run.original
    assert run.config_changed and run.manifest_changed
    assert run.recorded_on == "2026-12-03" and run.files == run.model_files  # the recorded run of this edit
    other = imageedit.run_image(["base", "app", {"/srv/x": "y"}], live="off")
    assert other.recorded_on == "" and "model of overlayfs" in other.why and "model" in other.source
    same = imageedit.run_image(["base", "app", "config"], live="off", env=["PATH=/bin", "MODE=test"])
    assert same.new_layers == () and same.config_changed  # a config change changes no layer


def test_bad_input_is_refused_before_anything_is_built(monkeypatch):
    monkeypatch.setattr(imageedit, "build_layout", lambda *a, **k: pytest.fail("an image was built"))
    for bad in ("base", ["base", "nope"], [{"/x": object()}]):
        with pytest.raises(ValueError):
            imageedit.run_image(bad)
    with pytest.raises(ValueError, match="env"):
        imageedit.run_image(["base"], env="PATH=/bin")
    with pytest.raises(ValueError, match="timeout_s"):
        imageedit.run_image(["base"], timeout_s=0)


def test_a_stopped_run_falls_back_and_says_why(monkeypatch):
    from widgets.labs.base import LabFailed

    def stopped(*a, **k):
        raise LabFailed("the container did not finish within 20 s; it was killed")

    monkeypatch.setattr(imageedit, "_live", stopped)
    monkeypatch.setattr(imageedit, "decide", lambda live, name: (True, "Live on this machine."))
    run = imageedit.run_image(SOLUTION, live="on")
    assert not run.live and "did not finish" in run.errors[0] and "failed here" in run.why
    assert run.recorded_on == "2026-12-03" and run.files == run.model_files
