"""The course's Jupyter server setting: TCP_NODELAY on the kernel websocket, and import widgets never loads it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from widgets import labserver


def test_import_widgets_does_not_import_the_server_module():
    import subprocess
    import sys

    code = "import sys, widgets; print('jupyter_server' in sys.modules, 'widgets.labserver' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False", "False"]


ROOT = Path(__file__).resolve().parents[3]


class _Handler:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[bool] = []
        self.fail = fail

    def set_nodelay(self, value: bool) -> None:
        if self.fail:
            raise AssertionError("no websocket connection")  # what tornado raises before the handshake
        self.calls.append(value)


def _connection(handler: _Handler) -> labserver.NoDelayConnection:
    conn = labserver.NoDelayConnection.__new__(labserver.NoDelayConnection)
    conn._trait_values["websocket_handler"] = handler  # skip the trait's type check: a stand-in handler
    return conn


@pytest.mark.parametrize("fail", [False, True])
def test_connect_sets_nodelay_then_connects_as_usual(monkeypatch, fail):
    connected: list[object] = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: connected.append(self) or "future")
    handler = _Handler(fail=fail)
    conn = _connection(handler)
    if fail:
        import logging

        conn._trait_values["log"] = logging.getLogger("test")
    assert conn.connect() == "future"
    assert connected == [conn]  # the standard connection always runs
    assert handler.calls == ([] if fail else [True])


def test_the_class_is_a_standard_kernel_connection():
    assert issubclass(labserver.NoDelayConnection, ZMQChannelsWebsocketConnection)
    assert labserver.SERVER_FLAG.endswith("=widgets.labserver.NoDelayConnection")


def test_make_lab_the_browser_tests_and_binder_use_the_settings():
    recipe = re.search(r"^lab:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.S | re.M).group(0)
    assert labserver.SERVER_FLAG in recipe.replace("\\\n\t  ", "")
    for name, value in labserver.LAB_ENV.items():  # the kernels' environment, unless the learner set it
        assert f"{name}=$${{{name}:-{value}}} $(BIN)/jupyter lab" in recipe
    browser_lab = (ROOT / "tools" / "browser.py").read_text()
    assert "            SERVER_FLAG,\n" in browser_lab and "dict(LAB_ENV, **os.environ)" in browser_lab
    post = (ROOT / "postBuild").read_text()
    blob = json.loads(re.search(r"'(\{.*\})'", post).group(1))
    assert blob["ServerApp"]["kernel_websocket_connection_class"] == "widgets.labserver.NoDelayConnection"
