"""A hub started the way `make hub` starts it (python -m hub.run), with sign-up closed and a short idle timeout:
the instructor adds a learner, an unknown name gets a clear message, and the idle culler stops a server nobody
uses."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from hub.client import Learner, LoginFailed
from tests.hub.conftest import needs_hub, password, run, start_hub, stop_hub

pytestmark = [needs_hub, pytest.mark.live]


@pytest.fixture(scope="module")
def hub(hub_env):
    h = start_hub(signup="closed", idle_timeout=15, cull_every=5, python=sys.executable)
    yield h
    stop_hub(h)


def test_make_hub_start_prints_what_the_instructor_needs(hub):
    log = hub.log_text(20000)
    assert "Per-learner limits are" in log and "instructor (admin): instructor" in log, log[-3000:]
    assert "Traceback" not in log


def test_unknown_learner_gets_a_clear_message_and_an_added_one_logs_in(hub):
    async def go():
        teacher = Learner(hub.url, "instructor", hub.instructor_password)
        await teacher.login()
        await teacher.request("POST", "/hub/api/users/erin")
        with pytest.raises(LoginFailed) as exc:
            await Learner(hub.url, "nobody", password()).login()
        assert "There is no learner called 'nobody'" in str(exc.value)
        erin = Learner(hub.url, "erin", password())
        await erin.login()  # her first login sets her password
        return erin

    run(go())


def test_idle_culler_stops_an_unused_server(hub):
    async def go():
        erin = Learner(hub.url, "frank", password())
        teacher = Learner(hub.url, "instructor", hub.instructor_password)
        await teacher.login()
        await teacher.request("POST", "/hub/api/users/frank")
        await erin.login()
        await erin.start()
        started = time.monotonic()
        while "" in (await erin.user()).get("servers", {}):
            assert time.monotonic() - started < 120, "the idle culler did not stop the server within 120 s"
            await asyncio.sleep(1)  # polling the hub's state, with a deadline
        return time.monotonic() - started

    waited = run(go())
    assert waited >= 10  # not before the idle timeout (15 s, checked every 5 s)
    assert "idle-culler" in hub.log_text(200000) and "Culling server frank" in hub.log_text(200000)
