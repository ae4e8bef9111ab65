"""``make hub``: start the course's workshop hub in the foreground (Ctrl-C stops it, and every learner's server).

    python -m hub.run            install what is missing (hub/install.py), then start JupyterHub
    python -m hub.run --check    say what this machine allows (root, Node, cgroups) and exit
    python -m hub.run --stop     stop a hub started from this checkout (its pid file)
    python -m hub.run --reset    remove every learner account the hub made (and their homes), their cgroups and
                                 the hub's state (passwords, database); the installed environment stays

Settings are HUB_* environment variables (hub/settings.py; instructor/hub.md). Needs Linux and root: the hub
creates a system account per learner and starts each learner's server as that account.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from hub import cgroups
from hub.settings import MARKER, ROOT, Settings, from_env


def problem_root() -> str:
    if not sys.platform.startswith("linux"):
        return "the workshop hub runs on Linux only (it makes a system account per learner)"
    if os.geteuid() != 0:
        return (
            "the workshop hub must run as root: it creates a system account per learner and starts each "
            "learner's server as that account (run: sudo make hub)"
        )
    for tool in ("useradd", "userdel", "setpriv"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (Debian: apt-get install passwd util-linux)"
    return ""


def limits_line(s: Settings) -> str:
    support = cgroups.detect(s.cgroup_root, s.cgroup_parent)
    limits = cgroups.Limits(memory_bytes=cgroups.parse_size(s.mem_limit), cpus=s.cpu_limit)
    return support.describe(limits)


def instructor_password(s: Settings) -> str:
    """The instructor's password: $HUB_INSTRUCTOR_PASSWORD, or one made on the first start and kept in the state
    directory. Set in the authenticator's database, so nobody else can claim the instructor's name."""
    from hub.auth import set_password

    keep = s.state / "instructor-password"
    given = os.environ.get("HUB_INSTRUCTOR_PASSWORD", "")
    if given:
        password = given
    elif keep.exists():
        password = keep.read_text().strip()
    else:
        password = secrets.token_urlsafe(9)
    if len(password) < 8:
        raise SystemExit("HUB_INSTRUCTOR_PASSWORD must have at least 8 characters")
    if not keep.exists() or keep.read_text().strip() != password:
        set_password(str(s.state / "passwords.dbm"), s.instructor, password)
        keep.write_text(password + "\n")
        keep.chmod(0o600)
    return password


def addresses(s: Settings) -> list[str]:
    if s.ip not in ("0.0.0.0", "", "::"):
        return [f"http://{s.ip}:{s.port}/"]
    urls = [f"http://127.0.0.1:{s.port}/ (on this server)"]
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5, check=False).stdout
        urls += [f"http://{a}:{s.port}/" for a in out.split() if ":" not in a]
    except OSError:
        pass
    urls.append(f"http://{socket.gethostname()}:{s.port}/")
    return urls


def hub_command(s: Settings) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k.startswith(("HUB_", "LANG", "LC_"))}
    env.update(
        PATH=f"{s.env / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HUB_DIR=str(s.hub_dir),
        HUB_STATE=str(s.state),
        JUPYTER_PREFER_ENV_PATH="1",
        PYTHONPATH=str(ROOT),
        HOME=str(s.state),
    )
    env.pop("HUB_INSTRUCTOR_PASSWORD", None)
    cmd = [str(s.env / "bin" / "jupyterhub"), "-f", str(ROOT / "hub" / "jupyterhub_config.py")]
    return cmd, env


def prepare_state(s: Settings) -> None:
    s.state.mkdir(parents=True, exist_ok=True)
    os.chmod(s.state, 0o700)


def start(s: Settings) -> int:
    from hub.install import InstallError, install

    try:
        install(s.hub_dir)
    except InstallError as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 1
    if Path(sys.prefix).resolve() != s.env.resolve():  # go on inside the hub's environment (JupyterHub is there)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        os.execve(str(s.python), [str(s.python), "-m", "hub.run", "--serve"], env)
    return serve(s)


def serve(s: Settings) -> int:
    prepare_state(s)
    password = instructor_password(s)
    print("== " + limits_line(s))
    print(f"== the course's workshop hub; learners open: {', '.join(addresses(s))}")
    print(f"== instructor (admin): {s.instructor} / {password}   (kept in {s.state / 'instructor-password'})")
    print(
        f"== learners log in with a name of their choice and a password of 8+ characters (sign-up {s.signup}); "
        f"idle servers stop after {s.idle_timeout} s. Ctrl-C (or make hub-stop) stops the hub.",
        flush=True,
    )
    cmd, env = hub_command(s)
    proc = subprocess.Popen(cmd, env=env, cwd=str(s.state))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        return proc.wait()


def stop(s: Settings, timeout_s: float = 60.0) -> int:
    pid_file = s.state / "jupyterhub.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        print(f"no hub is running from {s.state} (no pid file)")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print("the hub was not running")
        return 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("the hub stopped, and with it every learner's server")
            return 0
        time.sleep(0.2)  # waiting for the hub's own shutdown, with a deadline
    print(f"the hub (pid {pid}) did not stop within {timeout_s:.0f} s", file=sys.stderr)
    return 1


def hub_accounts(prefix: str) -> list[pwd.struct_passwd]:
    return [p for p in pwd.getpwall() if p.pw_name.startswith(prefix) and p.pw_gecos.split(",")[0] == MARKER]


def remove_account(account: pwd.struct_passwd) -> None:
    """Stop everything the account runs, then delete it and its home."""
    for _ in range(50):
        if (
            subprocess.run(["pkill", "-KILL", "-U", str(account.pw_uid)], capture_output=True, check=False).returncode
            != 0
        ):
            break  # nothing left to signal
        time.sleep(0.1)  # the killed processes leaving, with a bound
    subprocess.run(["userdel", "--remove", account.pw_name], capture_output=True, check=False, timeout=60)
    shutil.rmtree(account.pw_dir, ignore_errors=True)


def reset(s: Settings) -> int:
    pid_file = s.state / "jupyterhub.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 0)
            print("the hub is running: stop it first (make hub-stop)", file=sys.stderr)
            return 1
        except (ProcessLookupError, ValueError):
            pass
    accounts = hub_accounts(s.user_prefix)
    support = cgroups.detect(s.cgroup_root, s.cgroup_parent)
    for account in accounts:
        remove_account(account)
        cgroups.LearnerCgroup(support, account.pw_name).remove(timeout_s=5)
    cgroups.remove_parent(support)
    shutil.rmtree(s.state, ignore_errors=True)
    print(
        f"removed {len(accounts)} learner account(s) and their homes, their cgroups and the hub's state "
        f"({s.state}); the environment in {s.env} stays"
    )
    return 0


def restore(s: Settings, learner: str, lesson: str) -> int:
    """A fresh copy of ``lesson`` for ``learner``; their own copy is renamed beside it (nothing is lost)."""
    from hub import content

    name = f"{s.user_prefix}{learner}"
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        print(f"no learner {learner!r} on this hub (no account {name})", file=sys.stderr)
        return 1
    if account.pw_gecos.split(",")[0] != MARKER:
        print(f"{name} was not made by this hub", file=sys.stderr)
        return 1
    try:
        kept = content.restore(
            s.lessons, account.pw_dir, account.pw_uid, account.pw_gid, s.state / "sync" / f"{name}.json", lesson
        )
    except content.ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{learner} has a fresh {lesson}" + (f"; their copy is now {content.DIR}/{kept}" if kept else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true")
    group.add_argument("--stop", action="store_true")
    group.add_argument("--reset", action="store_true")
    group.add_argument(
        "--restore",
        nargs=2,
        metavar=("LEARNER", "LESSON"),
        help="give a learner a fresh copy of a lesson (theirs is renamed beside it)",
    )
    group.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # start, inside the environment
    args = parser.parse_args(argv)
    s = from_env()
    problem = problem_root()
    if args.check:
        from hub.install import node_problem

        print(f"root and tools: {problem or 'ok'}")
        print(f"Node.js: {node_problem() or 'ok'}")
        print(limits_line(s))
        return 1 if problem else 0
    if problem:
        print(f"make hub: {problem}", file=sys.stderr)
        return 1
    if args.stop:
        return stop(s)
    if args.reset:
        return reset(s)
    if args.restore:
        return restore(s, *args.restore)
    return serve(s) if args.serve else start(s)


if __name__ == "__main__":
    raise SystemExit(main())
