"""Fixtures the unit tests of several floors share (a live lab runs once per test session and worker)."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tests.unit.support.nslab import NO_USERNS, USERNS, _lab_processes, _mounts
from tests.unit.support.privlab import NO_USERNS as PRIV_NO_USERNS
from tests.unit.support.privlab import USERNS as PRIV_USERNS
from tests.unit.support.privlab import _lab_processes as _privlab_processes
from widgets.labs import nslab, oci, privlab
from widgets.models import oci as oci_model


@pytest.fixture(scope="session")
def nslab_run():
    if not USERNS:
        pytest.skip(NO_USERNS)
    host, procs, mounts = socket.gethostname(), _lab_processes(), _mounts()
    run = nslab.container_from_scratch("course-container", live="on")
    return run, host, procs, mounts


@pytest.fixture(scope="session")
def privlab_run():
    if not PRIV_USERNS:
        pytest.skip(PRIV_NO_USERNS)
    uid, before = os.getuid(), _privlab_processes()
    start = time.monotonic()
    comp = privlab.privileges_in_user_namespace(live="on")
    return comp, uid, before, time.monotonic() - start


@pytest.fixture
def image(tmp_path: Path) -> oci_model.Layout:
    return oci.build_layout(tmp_path / "image", oci_model.demo_layers(), config=oci_model.DEMO_CONFIG)
