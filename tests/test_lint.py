"""The package, tests, tools and the workshop hub pass ruff: its checks and its formatter."""

from __future__ import annotations

import shutil
import subprocess
import sys


def test_ruff_is_clean(root):
    if (
        shutil.which("ruff") is None
        and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True, check=False).returncode
    ):
        raise AssertionError("ruff is not installed: run make install")
    for command in (["check"], ["format", "--check"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "widgets", "tests", "tools", "hub"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
