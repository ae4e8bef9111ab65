"""make hub's own checks answer with a sentence, never a traceback: not root, no Node.js, an old Node.js."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hub import install, run


def test_not_root_is_explained(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "must run as root" in run.problem_root() and "sudo make hub" in run.problem_root()


def test_missing_node_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    text = install.node_problem()
    assert "needs Node.js 20+ and npm" in text and "apt-get install nodejs npm" in text


def test_old_node_is_explained(monkeypatch, tmp_path):
    for tool, out in (("node", "v18.19.0"), ("npm", "9.2.0")):
        exe = tmp_path / tool
        exe.write_text(f"#!/bin/sh\necho {out}\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "needs Node.js 20+, this machine has v18.19.0" in install.node_problem()


def test_make_hub_as_an_ordinary_user_says_why_and_exits_1():
    import shutil

    import pytest

    cmd = [sys.executable, "-m", "hub.run"]
    if os.geteuid() == 0:  # as root: the same start as nobody, with a Python every user may run (std lib only)
        python = shutil.which("python3", path="/usr/bin:/bin")
        if python is None:
            pytest.skip("no /usr/bin/python3 to run hub.run as an ordinary user")
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-m", "hub.run"]
    with tempfile.TemporaryDirectory() as tmp:
        where = run.ROOT
        if os.geteuid() == 0:  # nobody may not read a checkout only root may read (a CI clone): a readable copy
            where = Path(tmp)
            where.chmod(0o755)
            shutil.copytree(run.ROOT / "hub", where / "hub", ignore=shutil.ignore_patterns("__pycache__"))
            for path in where.rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=where,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "must run as root" in proc.stderr and "Traceback" not in proc.stderr
