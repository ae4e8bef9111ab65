"""Each learner's own copy of the lessons: copied on first start, merged on later starts, restored on request.

The merge follows nbgitpuller's documented rules ("Automatic Merging Behavior"), implemented here on whole files
without git:

- a lesson the learner has not changed since it was copied is updated to the course's current version (case 1);
- a lesson the learner changed is kept as it is, even when the course changed it too (cases 2 and 3: nbgitpuller
  merges changed lines of text files; notebooks are JSON, so this keeps the learner's whole file);
- a lesson the learner deleted comes back (case 4: deleting a file is how one asks for a fresh copy);
- a file the learner made that has the name of a new course file is renamed ``<name>_<timestamp><ext>`` and the
  course's file is copied (case 5);
- files the learner made and course files that were removed are left alone.

What was copied is remembered per learner in the hub's own state directory (never in the learner's home, which
the learner can change): the sha256 of each file as the course had it. :func:`restore` gets one lesson back on
request and renames the learner's current copy beside it, so no work is lost.

The hub runs this as root inside a home that belongs to the learner, so every step works on directory file
descriptors and never follows a link the learner may have put there.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

DIR = "lessons"  # the learner's folder, in their home


class ContentError(Exception):
    """A problem a learner or instructor can act on; the message says what happened and what to do."""


@dataclass
class Report:
    copied: list[str] = field(default_factory=list)  # new to this learner (first start, new lesson)
    updated: list[str] = field(default_factory=list)  # unchanged by the learner, changed by the course
    restored: list[str] = field(default_factory=list)  # deleted by the learner, copied again
    kept: list[str] = field(default_factory=list)  # changed by the learner: left as it is
    renamed: list[tuple[str, str]] = field(default_factory=list)  # learner's file moved aside (old, new)

    def summary(self) -> str:
        parts = [
            f"{len(v)} {k}"
            for k, v in (
                ("copied", self.copied),
                ("updated", self.updated),
                ("restored", self.restored),
                ("kept as edited", self.kept),
                ("renamed aside", self.renamed),
            )
            if v
        ]
        return ", ".join(parts) or "nothing to do"


def course_files(source: Path) -> dict[str, bytes]:
    """The course's lesson files (top level of ``source``, no hidden files): name -> content."""
    files = {}
    for path in sorted(source.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            files[path.name] = path.read_bytes()
    if not files:
        raise ContentError(f"no lessons found in {source}")
    return files


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load(manifest: Path) -> dict[str, str]:
    try:
        return dict(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError):
        return {}  # unreadable: every existing file then counts as the learner's own (nothing is overwritten)


def _save(manifest: Path, files: dict[str, str]) -> None:
    manifest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = manifest.with_name(manifest.name + ".tmp")
    tmp.write_text(json.dumps({"files": files}, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, manifest)


def _disk_problem(exc: OSError, home: str) -> ContentError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ContentError(
            f"The server's disk is full: your lessons could not be copied into {home} "
            f"({exc.strerror}). Ask the instructor to free some space, then start again."
        )
    return ContentError(
        f"Your lessons could not be copied into {home}: {exc.strerror or exc}. "
        f"Ask the instructor (the hub's log has the details)."
    )


class _Home:
    """The learner's lessons folder, opened without following links; file operations relative to it."""

    def __init__(self, home: str, uid: int, gid: int) -> None:
        self.home, self.uid, self.gid = home, uid, gid
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        home_fd = os.open(home, flags)
        try:
            try:
                os.mkdir(DIR, 0o755, dir_fd=home_fd)
                os.chown(DIR, uid, gid, dir_fd=home_fd, follow_symlinks=False)
            except FileExistsError:
                pass
            try:
                self.fd = os.open(DIR, flags, dir_fd=home_fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise ContentError(
                        f"~/{DIR} in {home} is not a folder (a link or a file): rename it, "
                        f"then start your server again to get the lessons."
                    ) from exc
                raise
        finally:
            os.close(home_fd)

    def close(self) -> None:
        os.close(self.fd)

    def kind(self, name: str) -> str:
        """'missing', 'file' (a regular file) or 'other' (a link, a folder, …)."""
        try:
            st = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return "missing"
        return "file" if stat.S_ISREG(st.st_mode) else "other"

    def read(self, name: str) -> bytes:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=self.fd)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def write(self, name: str, data: bytes) -> None:
        """Write ``data`` as ``name`` owned by the learner (a new file renamed into place)."""
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                os.fchown(fh.fileno(), self.uid, self.gid)
            os.rename(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=self.fd)
            except OSError:
                pass
            raise

    def move_aside(self, name: str, when: float) -> str:
        """Rename ``name`` to ``<stem>_<timestamp><ext>`` (a free name); return the new name."""
        stem, dot, ext = name.rpartition(".")
        stem, ext = (stem, dot + ext) if dot else (name, "")
        base = f"{stem}_{time.strftime('%Y%m%d%H%M%S', time.localtime(when))}"
        new, n = f"{base}{ext}", 1
        while self.kind(new) != "missing":
            n += 1
            new = f"{base}-{n}{ext}"
        os.rename(name, new, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        return new


def sync(source: Path, home: str, uid: int, gid: int, manifest: Path, now: float | None = None) -> Report:
    """Merge the course's lessons into ``home``/lessons (the rules in this module's docstring)."""
    files = course_files(source)
    recorded = _load(manifest)
    report, now = Report(), time.time() if now is None else now
    try:
        box = _Home(home, uid, gid)
        try:
            for name, data in files.items():
                digest, kind = _sha(data), box.kind(name)
                if kind == "missing":
                    box.write(name, data)
                    (report.restored if name in recorded else report.copied).append(name)
                elif kind == "other":  # a folder or link with a lesson's name: moved aside, never followed
                    report.renamed.append((name, box.move_aside(name, now)))
                    box.write(name, data)
                else:
                    local = _sha(box.read(name))
                    if local == digest:
                        pass
                    elif name not in recorded:  # the learner's own file, with the name of a new course file
                        report.renamed.append((name, box.move_aside(name, now)))
                        box.write(name, data)
                        report.copied.append(name)
                    elif local == recorded[name]:  # unchanged by the learner: take the course's new version
                        box.write(name, data)
                        report.updated.append(name)
                    else:
                        report.kept.append(name)
                        continue  # their version stays; remember the course's version they started from
                recorded[name] = digest
        finally:
            box.close()
    except OSError as exc:
        raise _disk_problem(exc, home) from exc
    _save(manifest, recorded)
    return report


def restore(
    source: Path, home: str, uid: int, gid: int, manifest: Path, name: str, now: float | None = None
) -> str | None:
    """Give the learner a fresh copy of lesson ``name``; their current copy (if it differs) is renamed beside
    it. Returns the new name of their copy, or None when there was nothing to keep."""
    files = course_files(source)
    if name not in files:
        raise ContentError(f"{name!r} is not one of the course's lessons: {', '.join(files)}")
    now = time.time() if now is None else now
    recorded = _load(manifest)
    kept = None
    try:
        box = _Home(home, uid, gid)
        try:
            kind = box.kind(name)
            if kind == "other" or (kind == "file" and box.read(name) != files[name]):
                kept = box.move_aside(name, now)
            if kind != "file" or kept:
                box.write(name, files[name])
        finally:
            box.close()
    except OSError as exc:
        raise _disk_problem(exc, home) from exc
    recorded[name] = _sha(files[name])
    _save(manifest, recorded)
    return kept


def status(source: Path, home: str, manifest: Path) -> dict[str, str]:
    """Per course lesson: 'as in the course', 'edited', 'missing' or 'out of date' (unchanged, course newer).
    Read-only, as root; links are not followed."""
    files, recorded = course_files(source), _load(manifest)
    out = {}
    try:
        fd = os.open(os.path.join(home, DIR), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return dict.fromkeys(files, "missing")
    try:
        for name, data in files.items():
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                out[name] = "missing"
                continue
            if not stat.S_ISREG(st.st_mode):
                out[name] = "edited"
                continue
            with os.fdopen(os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd), "rb") as fh:
                local = _sha(fh.read())
            if local == _sha(data):
                out[name] = "as in the course"
            elif local == recorded.get(name):
                out[name] = "out of date"
            else:
                out[name] = "edited"
    finally:
        os.close(fd)
    return out
