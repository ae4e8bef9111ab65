"""The environment this kernel actually has, against the one the course declares (lessons 03 and 06).

:func:`installed` reads the installed distributions' metadata; :func:`course_environment` compares them with
the course's ``requirements.lock`` (:func:`widgets.models.envcheck.compare`). ``live="off"`` shows the
comparison recorded on the course's build machine instead.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ..core import data, validate
from ..models.envcheck import TOOLING, EnvReport, compare, declared_pins, normalize
from .base import LIVE_MODES, Recording

RECORDING = Recording("environment", "2026-12-03")


def lock_file() -> Path:
    """The course's ``requirements.lock`` (in a checkout, or shipped with the installed package)."""
    return data.shipped_file("requirements.lock")


try:
    LOCK = lock_file()  #: the course's declared environment
except data.DataError:
    LOCK = data.CHECKOUT_DATA.parent / "requirements.lock"  # reading it says clearly that it is missing


def installed() -> dict[str, str]:
    """Name -> version of every distribution installed in this environment."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[normalize(name)] = dist.version
    return found


def course_environment(lock: Path | None = None) -> EnvReport:
    """This kernel's installed packages against the course's ``requirements.lock``."""
    path = Path(lock) if lock is not None else LOCK
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the lock file {path.name}: {exc.strerror}") from None
    return compare(
        declared_pins(text),
        installed(),
        ignore=TOOLING,
        declared_from=path.name,
        actual_from="this kernel's environment",
    )


def environment_report(live: str = "auto") -> tuple[EnvReport, str]:
    """The course's declared environment against this kernel's (live) or a recorded one.

    Returns the report and one sentence saying which it is. Reading installed
    package metadata works everywhere, so ``"auto"`` and ``"on"`` are always
    live; ``"off"`` shows the comparison recorded on the course's build machine.
    """
    validate.choice("live", live, LIVE_MODES)
    if live != "off":
        return course_environment(), "Live: the packages installed in the environment of this notebook's kernel."
    rec, lock = RECORDING.load(), LOCK
    report = compare(
        declared_pins(lock.read_text(encoding="utf-8")),
        rec["installed"],
        ignore=TOOLING,
        declared_from=lock.name,
        actual_from=f"the course's build machine on {rec['recorded_on']}",
    )
    return report, (
        f"live='off': showing the comparison recorded on {rec['recorded_on']} on the course's build "
        f"machine ({rec['machine']['platform']}, Python {rec['machine']['python']}), not this kernel."
    )


def inventory_here() -> dict[str, str]:
    """Normalized name -> version of every package installed in this kernel's environment (measured here)."""
    return installed()
