"""The workshop hub's login: first-use passwords (jupyterhub-firstuseauthenticator) with plain-language messages.

A learner types a name and a password at the login page. The first time, that password becomes theirs (when
sign-up is open; when it is closed, only names the instructor added can log in). The instructor is the hub's
admin; ``make hub`` sets the instructor's password before the first start, so nobody else can claim the name.

What a learner sees when the login does not work, instead of JupyterHub's generic "Invalid username or
password":

- a name that cannot be an account here: which names are allowed;
- an unknown name while sign-up is closed: that there is no such learner, and to ask the instructor;
- a wrong password: that the password is wrong, and that the instructor can reset it;
- a first password that is too short: how long it must be (the authenticator's own message).
"""

from __future__ import annotations

import dbm
import re

from firstuseauthenticator import FirstUseAuthenticator

NAME = re.compile(r"[a-z][a-z0-9-]{0,19}")
NAME_RULE = "1 to 20 characters: lowercase letters, digits and '-', starting with a letter"


def _say(handler, message: str) -> None:
    handler.custom_login_error = message


class CourseAuthenticator(FirstUseAuthenticator):
    def _has_password(self, name: str) -> bool:
        try:
            with dbm.open(self.dbm_path, "r") as db:
                return name.encode("utf8") in db
        except dbm.error:
            return False

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", "") or "")
        if not NAME.fullmatch(name):
            _say(handler, f"User names on this hub are {NAME_RULE}.")
            return None
        known = self._has_password(name)
        if not self.create_users and not known and not self._user_exists(name):
            _say(
                handler,
                f"There is no learner called '{name}' on this hub. Check the spelling, or ask the "
                f"instructor to add you.",
            )
            return None
        result = await super().authenticate(handler, data)
        if result is None and known:
            _say(handler, f"Wrong password for '{name}'. If you forgot it, ask the instructor to reset it.")
        return result


def set_password(dbm_path: str, name: str, password: str) -> None:
    """Set ``name``'s password in the authenticator's database (the instructor's, before the first start)."""
    auth = FirstUseAuthenticator(dbm_path=dbm_path, check_passwords_on_startup=False, min_password_length=8)
    message = auth.reset_password(name, password)
    if "success" not in message:
        raise ValueError(message)
