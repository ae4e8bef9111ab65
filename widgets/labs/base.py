"""What every live lab shares: live-or-fallback, child programs with a hard timeout, clean-up, recordings.

* :func:`use_live` turns a lesson's ``live`` parameter (``"auto" | "on" | "off"``) and a
  :class:`Capability` into "run live or show the fallback", with the reason in one sentence.
* :func:`run_child` runs one of the labs' child programs (the files in ``widgets/labs/children/``) in a
  fresh interpreter, with its parameters as JSON (never a shell), kills its whole process group on
  time-out and returns its JSON report. :func:`spawn` and :func:`kill_group` are its two halves, for a lab
  that talks to its child while it runs.
* Every process of a run carries a marker and a per-run token on its command line, so :func:`lab_pids`
  finds exactly this run's processes (never a neighbour's) and nothing is left behind.
* :class:`Recording` names a lab's dated recording in ``widgets/labs/recorded/`` and the words that label it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import data, validate

LIVE_MODES = ("auto", "on", "off")
CHILDREN = Path(__file__).resolve().parent / "children"


class LabFailed(RuntimeError):
    """The live lab could not run here (the message says why)."""


@dataclass(frozen=True)
class Capability:
    """Whether one live-lab capability is usable here, and why (not)."""

    name: str
    available: bool
    detail: str
    how_to_enable: str = ""
    used_by: tuple[str, ...] = field(default_factory=tuple)


def use_live(live: str, capability: Capability) -> tuple[bool, str]:
    """Decide whether a lab runs live, and say why in one sentence.

    Parameters
    ----------
    live:
        The lesson's ``live`` parameter: ``"auto"`` (live if possible),
        ``"on"`` (ask for live; still falls back, with a warning, if the
        capability is missing) or ``"off"`` (always the fallback).
    capability:
        The capability the lab needs (from :func:`widgets.labs.capabilities.capabilities`).
    """
    validate.choice("live", live, LIVE_MODES)
    if live == "off":
        return False, "live='off': this lab shows its fallback, which teaches the same point."
    if capability.available:
        return True, f"Live on this machine: {capability.detail}."
    asked = "live='on' was asked for, but " if live == "on" else ""
    how = f" How to enable: {capability.how_to_enable}." if capability.how_to_enable else ""
    return False, f"{asked}{capability.name} is not usable here ({capability.detail}).{how} Showing the fallback."


@dataclass(frozen=True)
class Check:
    """One thing a lab checked: what was expected, what was seen, and whether they agree."""

    name: str
    expected: str
    observed: str
    passed: bool


@dataclass(frozen=True)
class Recording:
    """A lab's recorded run, ``widgets/labs/recorded/<stem>_<date>.json``, made by the lab on the build machine."""

    stem: str
    recorded_on: str

    @property
    def file(self) -> str:
        """The recording's file name."""
        return f"{self.stem}_{self.recorded_on}.json"

    @property
    def label(self) -> str:
        """How every figure and summary of the recording says what it is."""
        return f"recorded on {self.recorded_on} on the course's build machine"

    def load(self) -> dict[str, Any]:
        """The parsed recording (raises :class:`widgets.core.data.DataError` if it cannot be read)."""
        return data.recording(self.file)


def read_text(path: str | os.PathLike[str], limit: int = 65536) -> str | None:
    """The first ``limit`` characters of a text file, or None if it cannot be read (never raises)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except (OSError, ValueError):
        return None


def lab_pids(token: str) -> list[int]:
    """PIDs of the processes whose command line carries ``token`` (one run's marker and id)."""
    found, wanted = [], token.encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/cmdline", "rb") as fh:
                if wanted in fh.read():
                    found.append(int(entry))
    return found


def new_token(marker: str) -> str:
    """A per-run token that starts with the lab's ``marker``."""
    return f"{marker}-{uuid.uuid4().hex}"


def spawn(program: str, params: dict[str, Any], *, token: str, stdin: bool = False) -> subprocess.Popen[str]:
    """Start child program ``program`` (``widgets/labs/children/<program>.py``) in its own process group.

    Its command line is ``python <file> <token> <params as JSON>``: parameters are data, never code, and
    never reach a shell. With ``stdin`` the child's standard input is a pipe (a lab that signals its child).
    """
    path = CHILDREN / f"{program}.py"
    if not path.is_file():
        raise LabFailed(f"the lab's child program {path.name} is missing from {CHILDREN}")
    return subprocess.Popen(
        [sys.executable, str(path), token, json.dumps(params)],
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def group_alive(pgid: int) -> bool:
    """Whether any process (zombies aside) is still in process group ``pgid``."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if fields[0] != "Z" and int(fields[2]) == pgid:
                    return True
    return False


def kill_group(proc: subprocess.Popen[Any], token: str = "", deadline_s: float = 5.0) -> None:
    """SIGKILL ``proc``'s process group, and every straggler carrying ``token``, until none is left; reap ``proc``."""
    deadline = time.monotonic() + deadline_s
    while (proc.poll() is None or group_alive(proc.pid)) and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            proc.communicate(timeout=0.05)
    while token and (left := lab_pids(token)) and time.monotonic() < deadline:
        for pid in left:  # only processes whose command line carries this run's token
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def run_child(program: str, params: dict[str, Any], timeout_s: float, *, marker: str) -> tuple[dict[str, Any], float]:
    """Run a lab's child program with ``params`` and return its JSON report and the elapsed milliseconds.

    The child's command line carries ``marker`` and a per-run token, so every process of this run can be
    found and killed: on time-out the process group is killed, then any straggler with the token. The
    report carries this run's token under ``"run"``. Raises :class:`LabFailed` with the child's own error
    (its ``"error"`` field, or its last line of standard error, never a traceback) when it fails.
    """
    token, start, timed_out = new_token(marker), time.perf_counter(), False
    proc = spawn(program, params, token=token)
    out, err = "", ""
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_group(proc, token)
        if timed_out:
            with contextlib.suppress(ValueError, subprocess.TimeoutExpired):
                out, err = proc.communicate(timeout=1.0)
    elapsed = (time.perf_counter() - start) * 1e3
    if timed_out:
        raise LabFailed(
            f"the lab's child did not finish within the timeout of {timeout_s:g} s; "
            f"its process group was killed after {elapsed / 1e3:.2f} s"
        )
    with contextlib.suppress(ValueError):
        if "error" not in (report := json.loads(out)):
            report["run"] = token  # so the caller can look for this run's processes only
            return report, elapsed
        raise LabFailed(report["error"])
    last = ((err or "").strip().splitlines() or ["no message"])[-1]  # the error itself, never a traceback
    raise LabFailed(f"the lab's child exited with code {proc.returncode}: {last[-300:]}")
