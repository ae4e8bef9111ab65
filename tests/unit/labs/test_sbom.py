"""The SBOM lab: the maintained tool run live on this environment, its time-out, and the recorded fallback."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from widgets.labs import base
from widgets.labs import sbom as lab
from widgets.models.envcheck import normalize


def test_off_shows_the_recording_and_says_so():
    s, why = lab.export_environment("off")
    assert why.startswith("live='off'") and "recorded on 2026-12-03" in why
    assert len(s.packages) > 100


@pytest.mark.skipif(not lab.tool_available(), reason="cyclonedx-bom is not installed")
def test_live_export_lists_what_is_installed_here_and_leaves_nothing_behind():
    from importlib import metadata

    before = set(Path(tempfile.gettempdir()).glob("cvm-sbom-*"))
    s, why = lab.export_environment("on")
    assert why.startswith("Live:")
    assert s.packages["cyclonedx-bom"] == metadata.version("cyclonedx-bom")
    assert s.packages[normalize("numpy")] == metadata.version("numpy")
    assert set(Path(tempfile.gettempdir()).glob("cvm-sbom-*")) == before


def test_a_missing_tool_falls_back_with_the_reason_or_fails_when_live_is_on(monkeypatch):
    monkeypatch.setattr(lab, "tool_available", lambda: False)
    s, why = lab.export_environment("auto")
    assert "cyclonedx-bom is not installed" in why and "recorded on" in why and s.packages
    with pytest.raises(base.LabFailed, match="not installed"):
        lab.export_environment("on")


def test_a_hanging_tool_is_killed_at_the_time_out(monkeypatch):
    monkeypatch.setattr(lab, "COMMAND", ("-c",))  # "python -m cyclonedx_py -c" fails fast; make it hang instead
    monkeypatch.setattr(lab.sys, "executable", sys.executable)

    real_popen = lab.subprocess.Popen

    def sleeper(args, **kw):
        return real_popen([sys.executable, "-c", "import time; time.sleep(60)"], **kw)

    monkeypatch.setattr(lab.subprocess, "Popen", sleeper)
    monkeypatch.setattr(lab, "tool_available", lambda: True)
    with pytest.raises(base.LabFailed, match="did not finish within 0.5 s"):
        lab.run_tool(timeout_s=0.5)


def test_bad_live_mode_is_refused():
    with pytest.raises(ValueError, match="live"):
        lab.export_environment("sometimes")
