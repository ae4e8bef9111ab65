"""Learners stay apart: two learners made by the test, both with live servers and kernels, on a real hub.

From inside learner A's kernel (their own code, as a learner would run it) A cannot read B's notebooks or kernel
connection files, cannot see, signal or trace B's processes, cannot see B's cgroups or mounts or anyone's KVM
guest, and finds none of the hub's secrets in the environment. Each check first confirms, as root, that the
thing A must not reach does exist, so a check cannot pass for the wrong reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hub.client import Learner, role, rss
from tests.hub.conftest import needs_hub, password, run, start_hub, stop_hub
from tests.procs import wait_until_gone
from widgets.labserver import LAB_ENV, SERVER_FLAG

pytestmark = [needs_hub, pytest.mark.live]


class Room:
    def __init__(self, hub) -> None:
        self.hub = hub
        self.a = Learner(hub.url, "ann", password())
        self.b = Learner(hub.url, "bob", password())
        self.kernels: dict[str, str] = {}

    async def start(self) -> None:
        for learner in (self.a, self.b):
            await learner.login()
            await learner.start()
            _, kernel = await learner.open_session("lessons/00-start-here.ipynb")
            self.kernels[learner.name] = kernel
            await learner.execute(kernel, "x = 1")

    def py(self, learner: Learner, code: str):
        """Run ``code`` in the learner's kernel; return the JSON it prints last."""
        outs = run(learner.execute(self.kernels[learner.name], textwrap.dedent(code)))
        text = "".join(o.get("text", "") for o in outs if o["output_type"] == "stream")
        return json.loads(text.strip().splitlines()[-1])

    def pids(self, learner: Learner) -> dict[str, list[int]]:
        """Host PIDs of the learner's server and kernels (as root, from their cgroup)."""
        out: dict[str, list[int]] = {"server": [], "kernel": [], "launcher": []}
        for pid in self.hub.cgroup(learner.name).procs():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            out.setdefault(role(cmd), []).append(pid)
        return out


@pytest.fixture(scope="module")
def room(hub_env):
    hub = start_hub(mem_limit="1G")
    r = Room(hub)
    try:
        run(r.start())
        yield r
    finally:
        stop_hub(hub)


def test_homes_are_private_and_notebooks_unreadable(room):
    b_home = room.hub.account("bob").pw_dir
    assert Path(b_home, "lessons", "00-start-here.ipynb").is_file()
    assert os.stat(b_home).st_mode & 0o777 == 0o700
    got = room.py(
        room.a,
        f"""
        import json, os
        out = {{}}
        for what, fn in (("list", lambda: os.listdir({b_home!r})),
                         ("read", lambda: open({b_home!r} + "/lessons/00-start-here.ipynb").read())):
            try:
                fn(); out[what] = "allowed"
            except PermissionError:
                out[what] = "denied"
        print(json.dumps(out))""",
    )
    assert got == {"list": "denied", "read": "denied"}


def test_kernel_connection_files_are_unreadable(room):
    runtime = Path(room.hub.account("bob").pw_dir, ".local", "share", "jupyter", "runtime")
    files = sorted(runtime.glob("kernel-*.json"))
    assert files, "bob's kernel connection file should exist"
    got = room.py(
        room.a,
        f"""
        import json
        try:
            open({str(files[0])!r}).read(); print(json.dumps("allowed"))
        except PermissionError:
            print(json.dumps("denied"))""",
    )
    assert got == "denied"


def test_processes_are_invisible_and_cannot_be_signalled_or_traced(room):
    b = room.pids(room.b)
    targets = b["server"] + b["kernel"]
    assert targets, "bob's server and kernel should be running"
    got = room.py(
        room.a,
        f"""
        import ctypes, json, os, signal
        libc = ctypes.CDLL(None, use_errno=True)
        mine = os.getuid()
        procs = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        foreign = [p for p in procs if p != 1 and os.stat(f"/proc/{{p}}").st_uid != mine]
        out = {{"visible": len(procs), "foreign": foreign, "kill": [], "ptrace": []}}
        for pid in {targets!r}:
            try:
                os.kill(pid, 0); out["kill"].append("allowed")
            except ProcessLookupError:
                out["kill"].append("no such process")
            except PermissionError:
                out["kill"].append("denied")
            rc = libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
            out["ptrace"].append("allowed" if rc == 0 else os.strerror(ctypes.get_errno()))
        try:
            os.kill(1, signal.SIGTERM); out["init"] = "allowed"
        except PermissionError:
            out["init"] = "denied"
        print(json.dumps(out))""",
    )
    assert got["foreign"] == [], "ann sees processes of other users"
    assert got["visible"] < 20, got
    assert "allowed" not in got["kill"] and "allowed" not in got["ptrace"], got
    assert got["init"] == "denied"
    # The same from the host's side: ann's processes are ann's, bob's are bob's.
    a_uid, b_uid = room.hub.account("ann").pw_uid, room.hub.account("bob").pw_uid
    for pid in targets:
        assert os.stat(f"/proc/{pid}").st_uid == b_uid != a_uid


def test_cgroups_show_only_ones_own(room):
    if not room.hub.support.enforced:
        pytest.skip(f"no per-learner cgroups on this machine: {room.hub.support.reason}")
    b_dirs = room.hub.cgroup("bob").dirs()
    assert all(p.is_dir() for p in b_dirs.values())
    got = room.py(
        room.a,
        """
        import json, os
        base = "/sys/fs/cgroup"
        tree = {c: sorted(d for d in os.listdir(f"{base}/{c}") if os.path.isdir(f"{base}/{c}/{d}"))
                for c in sorted(os.listdir(base))}
        limit = open(f"{base}/memory/memory.limit_in_bytes").read().strip() if os.path.isdir(f"{base}/memory") else ""
        print(json.dumps({"tree": tree, "limit": limit, "self": open("/proc/self/cgroup").read()}))""",
    )
    assert all(subdirs == [] for subdirs in got["tree"].values()), got["tree"]
    assert "bob" not in json.dumps(got)
    if room.hub.support.version == "v1":
        assert int(got["limit"]) == 1 << 30


def test_mounts_of_another_learner_are_invisible(room):
    marker = f"cvm-mount-{os.getpid()}"
    # bob mounts a tmpfs in a namespace of his own (as the container lab does), and keeps it.
    run(
        room.b.execute(
            room.kernels["bob"],
            textwrap.dedent(f"""
        import subprocess
        holder = subprocess.Popen(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                                   "mount -t tmpfs {marker} /mnt && exec sleep 300"])"""),
        )
    )
    try:

        def held() -> list[int]:
            found = []
            for pid in room.hub.cgroup("bob").procs():
                try:
                    if marker in Path(f"/proc/{pid}/mountinfo").read_text():
                        found.append(pid)
                except OSError:
                    pass
            return found

        deadline = time.monotonic() + 30
        while not held() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held(), "bob's mount should exist (seen from the host)"
        got = room.py(
            room.a,
            f"""
            import json, os
            seen = []
            for p in ["self"] + [d for d in os.listdir("/proc") if d.isdigit()]:
                try:
                    if {marker!r} in open(f"/proc/{{p}}/mountinfo").read():
                        seen.append(p)
                except OSError:
                    pass
            print(json.dumps(seen))""",
        )
        assert got == []
    finally:
        run(room.b.execute(room.kernels["bob"], "holder.kill(); holder.wait()"))


def test_kvm_guests_are_invisible(room):
    if not Path("/dev/kvm").exists():
        pytest.skip("no /dev/kvm on this machine")
    # A KVM guest outside ann's namespaces (root opens a VM and keeps it): ann must not see it.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import fcntl, os, sys, time
        kvm = os.open("/dev/kvm", os.O_RDWR)
        vm = fcntl.ioctl(kvm, 0xAE01, 0)  # KVM_CREATE_VM
        print(vm, flush=True)
        time.sleep(300)"""),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        vm_fd = int(holder.stdout.readline())
        assert os.readlink(f"/proc/{holder.pid}/fd/{vm_fd}") == "anon_inode:kvm-vm"
        got = room.py(
            room.a,
            """
            import json, os
            vms = []
            for p in [d for d in os.listdir("/proc") if d.isdigit()]:
                try:
                    for fd in os.listdir(f"/proc/{p}/fd"):
                        if "kvm" in os.readlink(f"/proc/{p}/fd/{fd}"):
                            vms.append(p)
                except OSError:
                    pass
            try:
                os.close(os.open("/dev/kvm", os.O_RDWR)); dev = "opened"
            except OSError as exc:
                dev = exc.strerror
            print(json.dumps({"vms": vms, "dev": dev}))""",
        )
        assert got["vms"] == []
        if os.stat("/dev/kvm").st_mode & 0o006 == 0:
            assert got["dev"] == "Permission denied"  # root-only here: ann's KVM labs use their fallback
    finally:
        holder.kill()
        holder.wait()


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(x.decode(errors="replace").split("=", 1) for x in raw if b"=" in x)


def _pid_with(text: str) -> int:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    return int(entry)
            except OSError:
                pass
    raise LookupError(text)


def test_no_hub_secret_in_a_learners_environment(room):
    state = room.hub.state
    secrets_ = {"cookie secret": (state / "jupyterhub_cookie_secret").read_text().strip()}
    proxy = _pid_with(str(room.hub.settings.proxy))
    secrets_["proxy token"] = _environ(proxy)["CONFIGPROXY_AUTH_TOKEN"]
    culler = _pid_with("jupyterhub_idle_culler")
    secrets_["culler's API token"] = _environ(culler)["JUPYTERHUB_API_TOKEN"]
    assert all(len(v) >= 16 for v in secrets_.values())
    got = room.py(
        room.a,
        f"""
        import json, os
        files = {{}}
        for name in ("jupyterhub_cookie_secret", "jupyterhub.sqlite", "passwords.dbm.db", "instructor-password"):
            try:
                open({str(state)!r} + "/" + name, "rb").read(1); files[name] = "allowed"
            except OSError as exc:
                files[name] = exc.strerror
        print(json.dumps({{"env": dict(os.environ), "files": files}}))""",
    )
    env = got["env"]
    for what, value in secrets_.items():
        leaked = [k for k, v in env.items() if value in v]
        assert not leaked, f"the hub's {what} is in ann's environment: {leaked}"
    assert "CONFIGPROXY_AUTH_TOKEN" not in env and "JPY_COOKIE_SECRET" not in env
    assert env.get("JUPYTERHUB_API_TOKEN") and env["JUPYTERHUB_USER"] == "ann"  # her own token is expected
    assert set(got["files"].values()) == {"Permission denied"}, got["files"]


def test_the_course_server_setting_applies_to_every_learner(room):
    for learner in (room.a, room.b):
        code = (
            "import json, os\n"
            "server = open(f'/proc/{os.getppid()}/cmdline').read().split(chr(0))\n"
            f"names = {sorted(LAB_ENV)!r}\n"
            "print(json.dumps({'server': server, 'env': {k: os.environ.get(k) for k in names}}))"
        )
        got = room.py(learner, code)
        assert SERVER_FLAG in got["server"], got["server"]
        assert "--LabApp.news_url=None" in got["server"]
        assert got["env"] == LAB_ENV
        news = run(learner.request("GET", f"/user/{learner.name}/lab/api/news"))
        assert json.loads(news.body).get("news", []) == []


def test_wrong_password_gets_a_clear_message(room):
    from hub.client import LoginFailed

    with pytest.raises(LoginFailed) as exc:
        run(Learner(room.hub.url, "ann", "not-her-password").login())
    assert "Wrong password for 'ann'" in str(exc.value) and "Traceback" not in str(exc.value)
    with pytest.raises(LoginFailed) as exc:
        run(Learner(room.hub.url, "Bad Name!", "whatever123").login())
    assert "User names on this hub are" in str(exc.value)
    with pytest.raises(LoginFailed) as exc:
        run(Learner(room.hub.url, "newcomer", "short").login())
    assert "Password too short" in str(exc.value)


def test_killing_a_kernel_mid_lab_leaves_nothing_behind(room):
    """bob's kernel starts the container lab (lesson 02's, its PID 1 kept busy) and is killed in the middle:
    within the deadline only bob's server and its launcher remain in his cgroup; ann is untouched."""
    a_before = room.hub.cgroup("ann").procs()
    session, kernel = run(room.b.open_session("lessons/02-container-engines.ipynb"))
    run(
        room.b.execute(
            kernel,
            textwrap.dedent("""
        import threading
        from widgets.labs import nslab
        threading.Thread(target=nslab.container_from_scratch,
                         kwargs=dict(live="on", timeout_s=120, _hang_s=120), daemon=True).start()"""),
        )
    )

    def lab_pids() -> list[int]:
        found = []
        for pid in room.hub.cgroup("bob").procs():
            try:
                if b"cvm-nslab" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 60
    while not lab_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lab_pids(), "the lab's processes should be running"
    victim = [
        p
        for p in room.pids(room.b)["kernel"]
        if kernel in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
    ]
    assert len(victim) == 1
    os.kill(victim[0], 9)
    assert wait_until_gone(lab_pids, 30.0) == [], "the lab's processes outlived the killed kernel"
    kernel_pids = set(room.pids(room.b)["kernel"])
    assert victim[0] not in kernel_pids
    run(room.b.close_session(session))
    assert room.hub.cgroup("ann").procs() >= a_before


def test_memory_limit_stops_a_runaway_kernel_not_the_server(room):
    group = room.hub.cgroup("ann")
    if not room.hub.support.enforced:
        pytest.skip(f"no per-learner limits here: {room.hub.support.reason}")
    before = group.oom_kills()
    session, kernel = run(room.a.open_session("lessons/01-virtual-machines.ipynb"))
    with pytest.raises((ConnectionError, TimeoutError, Exception)):
        run(room.a.execute(kernel, "hog = b'x' * (1536 * 2**20)", timeout_s=60))
    deadline = time.monotonic() + 30
    while group.oom_kills() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert group.oom_kills() > before, "the kernel was not stopped by the memory limit"
    assert run(room.a.server_api("GET", "status")).code == 200  # the server is still up
    run(room.a.close_session(session))
    assert rss(group.procs())["server"], "ann's server should still be running"


def test_a_crashed_server_restarts_on_the_next_visit(room):
    """ann's server is killed; the next visit shows the hub's 'not running' page, which starts it again."""
    server = room.pids(room.a)["server"]
    assert len(server) == 1
    os.kill(server[0], 9)

    async def visit() -> None:
        deadline = time.monotonic() + 90
        while True:  # the hub notices (its poll, or the proxy's error on the visit)
            reply = await room.a.request("GET", "/hub/user/ann/lab", auth="cookie", raise_error=False)
            page = reply.body.decode(errors="replace")
            if reply.code in (424, 503) and "/hub/spawn/ann" in page:
                break
            assert time.monotonic() < deadline, f"no 'not running' page: {reply.code} {page[:300]}"
            await asyncio_sleep(0.5)
        assert "implicit_spawn_seconds" in page or "setTimeout" in page or "spawn" in page
        reply = await room.a.request("GET", "/hub/spawn/ann?next=/hub/user/ann/lab", auth="cookie", raise_error=False)
        assert reply.code in (200, 302), reply.code
        await room.a.wait_ready(300)

    run(visit())
    _, room.kernels["ann"] = run(room.a.open_session("lessons/00-start-here.ipynb"))
    assert room.py(room.a, "import json; print(json.dumps(1))") == 1


async def asyncio_sleep(s: float) -> None:
    import asyncio

    await asyncio.sleep(s)  # between polls of the hub, with a deadline


def test_a_full_disk_gets_a_clear_message(room):
    """carl's home fills up (a 1 MB file system mounted over it): his start is refused with a message."""
    carl = Learner(room.hub.url, "carl", password())
    run(carl.login())
    run(carl.start())
    run(carl.stop())
    home = room.hub.account("carl").pw_dir
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", home], check=True, timeout=30)
    try:
        with pytest.raises(RuntimeError) as exc:
            run(carl.start(timeout_s=120))
        text = str(exc.value)
        assert "disk is full" in text and "Traceback" not in text, text
    finally:
        subprocess.run(["umount", home], check=True, timeout=30)


def test_edited_lessons_are_kept_deleted_ones_come_back(room):
    home = Path(room.hub.account("bob").pw_dir, "lessons")
    mine = home / "01-virtual-machines.ipynb"
    mine.write_text("my own notes")
    (home / "03-images-and-layers.ipynb").unlink()
    (home / "notes.txt").write_text("other work")
    run(room.b.stop())
    run(room.b.start())
    _, room.kernels["bob"] = run(room.b.open_session("lessons/00-start-here.ipynb"))
    assert mine.read_text() == "my own notes"
    assert (home / "03-images-and-layers.ipynb").read_bytes() == (
        room.hub.settings.lessons / "03-images-and-layers.ipynb"
    ).read_bytes()
    assert (home / "notes.txt").read_text() == "other work"
    # ... and on request a lesson comes back, the learner's copy kept beside it.
    proc = subprocess.run(
        [str(room.hub.settings.python), "-m", "hub.run", "--restore", "bob", "01-virtual-machines.ipynb"],
        env=room.hub.env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(room.hub.settings.lessons.parent),
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert mine.read_bytes() == (room.hub.settings.lessons / mine.name).read_bytes()
    kept = sorted(home.glob("01-virtual-machines_*.ipynb"))
    assert len(kept) == 1 and kept[0].read_text() == "my own notes"
    assert (home / "notes.txt").read_text() == "other work"
    assert kept[0].stat().st_uid == room.hub.account("bob").pw_uid


def test_a_learner_gets_a_lesson_back_from_the_lessons_page(room):
    """The hub's 'lessons' service: a fresh copy on request, the learner's own copy renamed beside it; it acts
    only on the caller's own lessons."""
    home = Path(room.hub.account("bob").pw_dir, "lessons")
    broken = home / "02-container-engines.ipynb"
    broken.write_text("{ not a notebook")
    a_copy = Path(room.hub.account("ann").pw_dir, "lessons", "02-container-engines.ipynb")
    a_before = a_copy.read_bytes()
    page = run(room.b.request("GET", "/services/lessons/"))
    text = page.body.decode()
    assert page.code == 200 and "02-container-engines.ipynb" in text and "edited" in text, text[:500]
    reply = run(room.b.request("POST", "/services/lessons/api/restore", {"lesson": broken.name}))
    message = json.loads(reply.body)["message"]
    assert "your copy is now lessons/02-container-engines_" in message, message
    assert broken.read_bytes() == (room.hub.settings.lessons / broken.name).read_bytes()
    kept = sorted(home.glob("02-container-engines_*.ipynb"))
    assert kept and kept[-1].read_text() == "{ not a notebook"
    assert a_copy.read_bytes() == a_before  # ann's lessons are untouched
    reply = run(room.b.request("POST", "/services/lessons/api/restore", {"lesson": "../../etc/passwd"}))
    assert "not one of the course's lessons" in json.loads(reply.body)["message"]
