"""Export this kernel's Python environment as a CycloneDX SBOM with the maintained tool (lesson 06).

:func:`export_environment` runs ``cyclonedx-py environment`` (the ``cyclonedx-bom`` package, a course
dependency) on this kernel's interpreter, in its own process group with a time-out, writes the document to a
temporary folder that is deleted afterwards, and reads it with :func:`widgets.models.sbom.read_sbom`. No user
input reaches the command line. The fallback (``live="off"``, the tool missing, or a failed run) is the SBOM the
same command wrote on the course's build machine, stored unchanged as a recording.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..core import validate
from ..models.sbom import Sbom, read_sbom
from .base import LIVE_MODES, LabFailed, Recording

#: The build machine's SBOM: written by ``python -m tools.record_sbom`` with :data:`COMMAND`.
RECORDING = Recording("sbom", "2026-12-03")
TIMEOUT_S = 180.0
#: The tool's arguments after ``python -m cyclonedx_py``; the output file and the interpreter follow. Live runs
#: skip the tool's own JSON-schema validation (about a minute on a busy 2-core machine, 3 s without it):
#: :func:`~widgets.models.sbom.read_sbom` checks the structure it reads; the recording was validated.
COMMAND = ("environment", "--of", "JSON", "--output-reproducible")


def tool_available() -> bool:
    """Whether ``cyclonedx-bom`` is installed in this kernel's environment."""
    return importlib.util.find_spec("cyclonedx_py") is not None


def run_tool(
    python: str = sys.executable, timeout_s: float = TIMEOUT_S, *, validate_schema: bool = False
) -> dict[str, Any]:
    """Run ``cyclonedx-py environment`` on ``python`` and return the parsed CycloneDX document (the tool
    validates it against the CycloneDX schema only if ``validate_schema``).

    Raises :class:`LabFailed` if the tool is missing, fails, or runs longer than ``timeout_s`` (then its whole
    process group is killed).
    """
    import json

    if not tool_available():
        raise LabFailed("cyclonedx-bom is not installed in this environment (pip install cyclonedx-bom)")
    with tempfile.TemporaryDirectory(prefix="cvm-sbom-") as tmp:
        out = Path(tmp) / "environment.cdx.json"
        check = "--validate" if validate_schema else "--no-validate"
        args = [sys.executable, "-m", "cyclonedx_py", *COMMAND, check, "-o", str(out), python]
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=tmp
        )
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise LabFailed(f"cyclonedx-py did not finish within {timeout_s:g} s") from None
        if proc.returncode != 0 or not out.exists():
            raise LabFailed(f"cyclonedx-py failed (exit {proc.returncode}): {err.strip()[-300:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def export_environment(live: str = "auto", timeout_s: float = TIMEOUT_S) -> tuple[Sbom, str]:
    """This kernel's environment as an SBOM (live), or the build machine's recorded one, and a sentence saying
    which. ``live="on"`` raises :class:`LabFailed` instead of falling back."""
    validate.choice("live", live, LIVE_MODES)
    if live != "off":
        try:
            return read_sbom(run_tool(timeout_s=timeout_s)), (
                "Live: this kernel's environment, exported now by cyclonedx-py (cyclonedx-bom)."
            )
        except (LabFailed, ValueError, OSError) as exc:
            if live == "on":
                raise LabFailed(str(exc)) from exc
            why = f"{exc}: showing the SBOM {RECORDING.label} instead."
    else:
        why = f"live='off': showing the SBOM {RECORDING.label}, not this kernel's."
    return read_sbom(RECORDING.load()), why


__all__ = ["COMMAND", "RECORDING", "TIMEOUT_S", "export_environment", "run_tool", "tool_available"]
