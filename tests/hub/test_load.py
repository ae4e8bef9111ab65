"""The load test, small: 3 learners at once log in, start servers and run every code cell of lesson 00 and of
a lab lesson (02) through their own kernels; none may fail, and each one's memory is measured. The full
benchmark (10, 20, 30 learners, with timings against one learner alone) is ``make bench-hub``."""

from __future__ import annotations

import asyncio

import pytest

from tests.hub.conftest import needs_hub, start_hub, stop_hub
from tools import hubbench

pytestmark = [needs_hub, pytest.mark.live]


def test_three_learners_at_once(hub_env):
    hub = start_hub(mem_limit="1G")
    try:
        result = asyncio.run(asyncio.wait_for(hubbench.room(hub, 3, "load"), 900))
    finally:
        stop_hub(hub)
    failures = [f"{r.name}: {r.error}" for r in result.learners if r.error]
    assert not failures, failures
    for r in result.learners:
        assert r.spawn_s > 0 and set(r.lesson_s) == set(hubbench.LESSONS)
        assert r.server_mb > 20 and all(mb > 20 for mb in r.kernel_mb.values()), r
    assert result.hub_ms, "the hub's response time was not measured"
    print("\n" + hubbench.table(result, []))
