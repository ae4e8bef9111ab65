"""Helpers the startup tests of several floors share."""

from __future__ import annotations

import os

import pytest

from widgets.labs import startup

LINUX = os.uname().sysname == "Linux"


def _no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name, timeout_s):
        raise AssertionError(f"the {name} path ran live but should not have")

    monkeypatch.setattr(startup, "_run_once", refuse)
