"""Fixtures for the workshop hub's tests: the hub's environment, a hub per test file, learners.

Tests that start a hub need Linux, root (the hub makes a system account per learner), Node.js and the hub's
environment (``hub/install.py``, as ``make hub`` installs it). Where one is missing they skip and say why; in CI
(``COURSE_REQUIRE_BROWSER=1``, as root) a missing piece is a failure. Every hub a test starts is stopped and
everything it made (accounts, homes, cgroups, processes, its port, its state) is removed; a test checks that.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys

import pytest

from hub import install
from hub.harness import HubProcess

REQUIRED = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"


def why_no_hub() -> str:
    if not sys.platform.startswith("linux"):
        return "the workshop hub is Linux-only"
    if os.geteuid() != 0:
        return "starting the workshop hub needs root (it creates a system account per learner)"
    return install.node_problem()


NO_HUB = why_no_hub()
needs_hub = pytest.mark.skipif(bool(NO_HUB) and not REQUIRED, reason=NO_HUB or "-")


@pytest.fixture(scope="session")
def hub_env():
    if NO_HUB:
        pytest.fail(f"the hub tests must run here (COURSE_REQUIRE_BROWSER=1): {NO_HUB}")
    try:
        install.install()
    except install.InstallError as exc:
        pytest.fail(f"the hub's environment could not be installed: {exc}")


def start_hub(**kw) -> HubProcess:
    return HubProcess(**kw)


def stop_hub(hub: HubProcess) -> None:
    hub.close()
    left = hub.leftovers()
    assert not left, f"the hub left these behind: {left}"


def password() -> str:
    return secrets.token_urlsafe(10)


def run(coro, timeout_s: float = 600):
    """Run a coroutine to completion, with a deadline."""
    return asyncio.run(asyncio.wait_for(coro, timeout_s))
