# JupyterHub configuration of the course's workshop hub (started by `make hub`, i.e. `python -m hub.run`).
# Settings come from HUB_* environment variables: see hub/settings.py and instructor/hub.md.
# ruff: noqa: F821  (JupyterHub provides get_config)
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import cgroups  # noqa: E402
from hub.settings import from_env  # noqa: E402
from widgets.labserver import LAB_ENV, SERVER_FLAG  # noqa: E402

s = from_env()
c = get_config()

# Where learners connect; the hub's own API and the proxy's API stay on loopback.
c.JupyterHub.ip = s.ip
c.JupyterHub.port = s.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s.api_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(s.proxy)]
c.ConfigurableHTTPProxy.pid_file = str(s.state / "proxy.pid")

# State: root only (the directory is mode 700).
c.JupyterHub.db_url = f"sqlite:///{s.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(s.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(s.state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server

# Login: first-use passwords, the instructor as admin.
c.JupyterHub.authenticator_class = "hub.auth.CourseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(s.state / "passwords.dbm")
c.FirstUseAuthenticator.create_users = s.signup == "open"
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.admin_users = {s.instructor}
c.Authenticator.allow_all = True

# Each learner: a system account, the lessons, a cgroup, private namespaces (hub/spawner.py, hub/launcher.py).
c.JupyterHub.spawner_class = "hub.spawner.CourseSpawner"
c.CourseSpawner.user_prefix = s.user_prefix
c.CourseSpawner.home_root = s.home_root
c.CourseSpawner.lessons_source = str(s.lessons)
c.CourseSpawner.state_dir = str(s.state)
c.CourseSpawner.cgroup_root = s.cgroup_root
c.CourseSpawner.cgroup_parent = s.cgroup_parent
c.Spawner.mem_limit = cgroups.parse_size(s.mem_limit)
c.Spawner.cpu_limit = s.cpu_limit
c.Spawner.cmd = [str(s.env / "bin" / "jupyterhub-singleuser")]
# The course's server setting (widgets/labserver.py) and no news prompt, for every learner's JupyterLab.
c.Spawner.args = [
    SERVER_FLAG,
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.environment = {**LAB_ENV, "JUPYTER_PREFER_ENV_PATH": "1"}
c.Spawner.default_url = "/lab/tree/lessons/00-start-here.ipynb"
c.Spawner.notebook_dir = "~"
# A room starting at once on a small server: 30 servers starting together on 2 cores took more than 4 minutes
# (make bench-hub; a JupyterLab server's start is CPU-bound), so starts get 10 minutes before they count as failed.
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600
c.Spawner.poll_interval = 10
c.JupyterHub.concurrent_spawn_limit = 100
# A visit to a stopped (or crashed) server starts it again after 2 s.
c.JupyterHub.implicit_spawn_seconds = 2

# The idle culler stops servers without activity for HUB_IDLE_TIMEOUT seconds; the "lessons" page gives a
# learner a fresh copy of a lesson (hub/lessons_service.py).
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={s.idle_timeout}",
            f"--cull-every={s.cull_every}",
            "--concurrency=5",
        ],
    },
    {
        "name": "lessons",
        "url": f"http://127.0.0.1:{s.lessons_port}",
        "command": [sys.executable, "-m", "hub.lessons_service"],
        "cwd": str(Path(__file__).resolve().parent.parent),
        "environment": {
            **{k: v for k, v in os.environ.items() if k.startswith("HUB_")},
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        },
        "oauth_no_confirm": True,
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {"name": "user", "scopes": ["self", "access:services!service=lessons"]},
]
c.JupyterHub.last_activity_interval = 60
