"""The hub's "Lessons" page (a JupyterHub service at /services/lessons/): a learner gets a lesson back.

A learner who broke or deleted a lesson opens *Services → lessons* in the hub's menu: the page lists the
course's lessons with the state of their copy (as in the course, edited, missing, out of date) and a button per
lesson. The button gives them a fresh copy; their own copy, if it differs, is renamed beside it
(``<name>_<timestamp>.ipynb``), so no work is lost (:func:`hub.content.restore`). The same works with the
learner's API token: ``POST /services/lessons/api/restore`` with ``{"lesson": "04-….ipynb"}``.

Started by the hub (``c.JupyterHub.services``), as root: it writes into learners' homes, only through
:mod:`hub.content`, which never follows a link the learner made.
"""

from __future__ import annotations

import html
import json
import os
import pwd
from pathlib import Path

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from hub import content
from hub.settings import MARKER, from_env

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lessons</title>
<style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;color:#1a1a1a}}
table{{border-collapse:collapse}}td,th{{padding:.3rem .8rem;border-bottom:1px solid #ccc;text-align:left}}
.msg{{background:#e7f0fa;border-left:4px solid #1f5fa8;padding:.5rem 1rem}}</style></head><body>
<h1>Your lessons</h1>
<p>A lesson that no longer opens, or that you want to start again: <b>Get a fresh copy</b>. Your own copy is
kept beside it with the date in its name; nothing else in your folder changes.</p>
{message}
<table><tr><th>lesson</th><th>your copy</th><th></th></tr>{rows}</table>
<p><a href="{home}">Back to the hub</a></p></body></html>"""
ROW = """<tr><td>{name}</td><td>{state}</td><td><form method="post" action="{action}">
<input type="hidden" name="_xsrf" value="{xsrf}"><input type="hidden" name="lesson" value="{name}">
<button type="submit">Get a fresh copy</button></form></td></tr>"""


def _account(user: dict) -> pwd.struct_passwd:
    s = from_env()
    account = pwd.getpwnam(f"{s.user_prefix}{user['name']}")
    if account.pw_gecos.split(",")[0] != MARKER:
        raise web.HTTPError(403, "this account was not made by the hub")
    return account


def _restore(user: dict, lesson: str) -> str:
    s = from_env()
    try:
        account = _account(user)
    except KeyError:
        return "Start your server once first: your lessons are copied then."
    try:
        kept = content.restore(
            s.lessons,
            account.pw_dir,
            account.pw_uid,
            account.pw_gid,
            s.state / "sync" / f"{account.pw_name}.json",
            lesson,
        )
    except content.ContentError as exc:
        return str(exc)
    if kept:
        return f"A fresh {lesson} is in lessons/; your copy is now lessons/{kept}."
    return f"A fresh {lesson} is in lessons/ (your copy was the same as the course's)."


class Base(HubOAuthenticated, web.RequestHandler):
    def check_xsrf_cookie(self):
        if self.request.headers.get("Authorization", "").startswith("token "):
            return None  # an API token, not a browser form: no cookie to forge
        return super().check_xsrf_cookie()


class PageHandler(Base):
    @web.authenticated
    def get(self, message: str = ""):
        user = self.get_current_user()
        s = from_env()
        try:
            account = _account(user)
            states = content.status(s.lessons, account.pw_dir, s.state / "sync" / f"{account.pw_name}.json")
        except KeyError:
            states = dict.fromkeys(content.course_files(s.lessons), "not copied yet (start your server)")
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/lessons/")
        rows = "".join(
            ROW.format(
                name=html.escape(n),
                state=html.escape(v),
                xsrf=html.escape(self.xsrf_token.decode()),
                action=url_path_join(prefix, "restore"),
            )
            for n, v in states.items()
        )
        note = f'<p class="msg">{html.escape(message)}</p>' if message else ""
        self.finish(PAGE.format(message=note, rows=rows, home="/hub/home"))


class RestoreHandler(PageHandler):
    @web.authenticated
    def post(self):
        self.get(_restore(self.get_current_user(), self.get_body_argument("lesson", "")))


class ApiRestoreHandler(Base):
    @web.authenticated
    def post(self):
        try:
            lesson = json.loads(self.request.body or b"{}").get("lesson", "")
        except ValueError:
            raise web.HTTPError(400, 'send JSON: {"lesson": "04-….ipynb"}') from None
        self.finish({"message": _restore(self.get_current_user(), lesson)})


def main() -> None:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/lessons/")
    app = web.Application(
        [
            (prefix, PageHandler),
            (url_path_join(prefix, "restore"), RestoreHandler),
            (url_path_join(prefix, "api/restore"), ApiRestoreHandler),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        ],
        cookie_secret=os.urandom(32),
        xsrf_cookies=True,
    )
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8011")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    Path(from_env().state).mkdir(parents=True, exist_ok=True)
    HTTPServer(app).listen(port, "127.0.0.1")
    IOLoop.current().start()


if __name__ == "__main__":
    main()
