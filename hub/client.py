"""A learner, simulated over HTTP: log in at the hub, start a server, run a lesson's cells through its kernel API.

Used by the hub's tests and by ``make bench-hub`` (tools/hubbench.py). Everything goes through the hub's public
address, as a learner's browser would: the login form (first-use password), a token from the hub's REST API,
``POST /hub/api/users/<name>/server``, then the single-user server's own REST API (a session for the notebook)
and its kernel websocket. Standard library plus tornado (which JupyterHub and Jupyter Server depend on).

:func:`rss` reads, as root, the resident memory of a learner's processes by role (server, kernels, launcher).
"""

from __future__ import annotations

import asyncio
import datetime
import html
import json
import os
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import nbformat
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

AsyncHTTPClient.configure(None, max_clients=200)
CELL_TIMEOUT_S = 300.0


class LoginFailed(Exception):
    """The hub refused the login; the message is what the login page said."""


class CellFailed(Exception):
    """A cell raised an error in the kernel (ename, evalue and the cell's first line)."""


@dataclass
class RunResult:
    cells: int = 0
    seconds: float = 0.0
    cell_seconds: list[float] = field(default_factory=list)


def login_error(page: str) -> str:
    """The message of the login page's alert (JupyterHub's ``login_error``), as plain text."""
    m = re.search(r'<p class="login_error">\s*(.*?)\s*</p>', page, re.S) or re.search(
        r'class="[^"]*alert[^"]*"[^>]*>\s*(.*?)\s*</div>', page, re.S
    )
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


class Learner:
    def __init__(self, base_url: str, name: str, password: str) -> None:
        self.base, self.name, self.password = base_url.rstrip("/"), name, password
        self.cookies: dict[str, str] = {}
        self.token = ""

    # -- HTTP -------------------------------------------------------------------------------------------
    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, response) -> None:
        for raw in response.headers.get_list("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value

    async def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        auth: str = "token",
        raise_error: bool = True,
        timeout: float = 120.0,
        form: dict | None = None,
    ):
        headers = {}
        if auth == "token" and self.token:
            headers["Authorization"] = f"token {self.token}"
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
            if "_xsrf" in self.cookies:
                headers["X-XSRFToken"] = self.cookies["_xsrf"]
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            data = ""
        req = HTTPRequest(
            self.base + path,
            method=method,
            headers=headers,
            body=data,
            follow_redirects=False,
            request_timeout=timeout,
            connect_timeout=30,
        )
        try:
            response = await AsyncHTTPClient().fetch(req, raise_error=False)  # the client of the running loop
        except HTTPClientError as exc:  # a time-out (599): say which request
            raise TimeoutError(f"{method} {path} got no answer within {timeout:.0f} s ({exc})") from None
        self._keep_cookies(response)
        if raise_error and response.code >= 400:
            raise HTTPClientError(response.code, f"{method} {path}: {response.body[:500]!r}", response)
        return response

    # -- the hub ------------------------------------------------------------------------------------------
    async def login(self) -> None:
        """Log in through the login form (the first login sets the password), then get an API token."""
        await self.request("GET", "/hub/login", auth="none")
        reply = await self.request(
            "POST",
            "/hub/login?next=",
            auth="none",
            raise_error=False,
            timeout=600,
            form={"username": self.name, "password": self.password, "_xsrf": self.cookies.get("_xsrf", "")},
        )
        if reply.code != 302:
            raise LoginFailed(login_error(reply.body.decode(errors="replace")) or f"HTTP {reply.code}")
        made = await self.request(
            "POST", f"/hub/api/users/{self.name}/tokens", {"note": "simulated learner"}, auth="cookie"
        )
        self.token = json.loads(made.body)["token"]

    async def user(self) -> dict:
        return json.loads((await self.request("GET", f"/hub/api/users/{self.name}")).body)

    async def start(self, timeout_s: float = 600.0) -> float:
        """Start the learner's server and wait until it answers; return the seconds it took."""
        t0 = time.perf_counter()
        reply = await self.request("POST", f"/hub/api/users/{self.name}/server", raise_error=False, timeout=600)
        if reply.code >= 400 and reply.code != 400:  # 400: already running
            raise RuntimeError(f"start of {self.name} refused: {reply.code} {spawn_message(reply.body)}")
        await self.wait_ready(timeout_s, t0)
        return time.perf_counter() - t0

    async def wait_ready(self, timeout_s: float = 600.0, t0: float | None = None) -> None:
        t0 = time.perf_counter() if t0 is None else t0
        while True:
            server = (await self.user()).get("servers", {}).get("")
            if server and server.get("ready"):
                break
            if not server or not server.get("pending"):
                reply = await self.request(
                    "GET", f"/hub/api/users/{self.name}/server/progress", raise_error=False, timeout=30
                )
                raise RuntimeError(f"the server of {self.name} did not start: {spawn_message(reply.body)}")
            if time.perf_counter() - t0 > timeout_s:
                raise TimeoutError(f"the server of {self.name} was not ready after {timeout_s:.0f} s")
            await asyncio.sleep(0.25)  # polling the hub's state, with a deadline
        status = await self.request("GET", f"/user/{self.name}/api/status")
        assert status.code == 200

    async def stop(self) -> None:
        await self.request("DELETE", f"/hub/api/users/{self.name}/server", raise_error=False)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if "" not in (await self.user()).get("servers", {}):
                return
            await asyncio.sleep(0.25)  # the hub's state, with a deadline
        raise TimeoutError(f"the server of {self.name} did not stop")

    # -- the learner's own server ------------------------------------------------------------------------------
    async def server_api(self, method: str, path: str, body: object = None, **kw):
        return await self.request(method, f"/user/{self.name}/api/{path.lstrip('/')}", body, **kw)

    async def open_session(self, notebook: str) -> tuple[str, str]:
        """A session for ``notebook`` (path in the learner's home), as JupyterLab makes when it opens one."""
        reply = await self.server_api(
            "POST",
            "sessions",
            {"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
            timeout=600,
        )
        session = json.loads(reply.body)
        return session["id"], session["kernel"]["id"]

    async def close_session(self, session_id: str) -> None:
        await self.server_api("DELETE", f"sessions/{session_id}", raise_error=False)

    async def kernel(self, kernel_id: str) -> KernelChannel:
        url = (
            self.base.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kernel_id}/channels"
            f"?session_id={uuid.uuid4().hex}"
        )
        conn = await websocket_connect(
            HTTPRequest(url, headers={"Authorization": f"token {self.token}"}, connect_timeout=300, request_timeout=300)
        )
        return KernelChannel(conn)

    async def execute(self, kernel_id: str, code: str, timeout_s: float = CELL_TIMEOUT_S) -> list[dict]:
        channel = await self.kernel(kernel_id)
        try:
            return await channel.execute(code, timeout_s)
        finally:
            channel.close()

    async def run_notebook(self, notebook: str, source: str | os.PathLike, keep: bool = True) -> tuple[RunResult, str]:
        """Run every code cell of the notebook file ``source`` in a kernel of a session for ``notebook``;
        return the timings and the kernel id (its session stays open when ``keep``)."""
        nb = nbformat.read(source, as_version=4)
        session_id, kernel_id = await self.open_session(notebook)
        channel = await self.kernel(kernel_id)
        result = RunResult()
        t0 = time.perf_counter()
        try:
            for cell in nb.cells:
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                c0 = time.perf_counter()
                await channel.execute(cell.source, CELL_TIMEOUT_S)
                result.cell_seconds.append(time.perf_counter() - c0)
                result.cells += 1
        finally:
            channel.close()
            result.seconds = time.perf_counter() - t0
            if not keep:
                await self.close_session(session_id)
        return result, kernel_id


class KernelChannel:
    """The kernel websocket (Jupyter's JSON messages); one execute at a time."""

    def __init__(self, conn) -> None:
        self.conn, self.session = conn, uuid.uuid4().hex

    def close(self) -> None:
        self.conn.close()

    async def execute(self, code: str, timeout_s: float) -> list[dict]:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "session": self.session,
            "username": "learner",
            "msg_type": "execute_request",
            "version": "5.3",
            "date": datetime.datetime.now(datetime.UTC).isoformat(),
        }
        await self.conn.write_message(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "buffers": [],
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        outputs, reply, idle = [], None, False
        deadline = time.monotonic() + timeout_s
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply within {timeout_s:.0f} s to: {code.strip().splitlines()[0][:80]}")
            raw = await asyncio.wait_for(self.conn.read_message(), left)
            if raw is None:
                raise ConnectionError("the kernel websocket closed (the kernel died?)")
            if isinstance(raw, bytes):
                continue  # binary buffers (widgets): not needed here
            msg = json.loads(raw)
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") in ("dead", "restarting", "autorestarting"):
                raise ConnectionError("the kernel died while the cell ran (its server restarts it)")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "execute_reply":
                reply = msg["content"]
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind in ("stream", "execute_result", "display_data", "error"):
                outputs.append(msg["content"] | {"output_type": kind})
        if reply.get("status") != "ok":
            first = code.strip().splitlines()[0][:80] if code.strip() else ""
            raise CellFailed(f"{reply.get('ename')}: {reply.get('evalue')} (in the cell starting {first!r})")
        return outputs


def spawn_message(body: bytes) -> str:
    """The hub's message from a REST or progress reply (``message`` in JSON, or the last event)."""
    text = body.decode(errors="replace")
    try:
        return json.loads(text).get("message", text)
    except ValueError:
        events = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]
        return events[-1].get("message", text) if events else text[:500]


# -- memory of a learner's processes (as root) ---------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def role(cmdline: str) -> str:
    if "hub/launcher.py" in cmdline:
        return "launcher"
    if "ipykernel_launcher" in cmdline:
        return "kernel"
    if "jupyterhub-singleuser" in cmdline:
        return "server"
    return "other"


def rss(pids: set[int]) -> dict[str, list[int]]:
    """RSS in kB of each process, grouped by role: server, kernel, launcher, other."""
    out: dict[str, list[int]] = {"server": [], "kernel": [], "launcher": [], "other": []}
    for pid in sorted(pids):
        kb = _rss_kb(pid)
        if kb:
            out[role(_cmdline(pid))].append(kb)
    return out
