"""The lessons' merge into a learner's home (hub/content.py): nbgitpuller's documented rules, on whole files,
without following links the learner may have put there."""

from __future__ import annotations

import os
import time

import pytest

from hub import content

UID, GID = os.getuid(), os.getgid()


@pytest.fixture()
def course(tmp_path):
    src = tmp_path / "course"
    src.mkdir()
    (src / "00-a.ipynb").write_text("a1")
    (src / "01-b.ipynb").write_text("b1")
    return src


@pytest.fixture()
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir(mode=0o700)
    return h


def sync(course, home, tmp_path, now=None):
    return content.sync(course, str(home), UID, GID, tmp_path / "state" / "sync.json", now=now)


def test_first_start_copies_every_lesson(course, home, tmp_path):
    report = sync(course, home, tmp_path)
    assert sorted(report.copied) == ["00-a.ipynb", "01-b.ipynb"]
    assert (home / "lessons" / "00-a.ipynb").read_text() == "a1"


def test_later_start_updates_unchanged_keeps_edited_restores_deleted_adds_new(course, home, tmp_path):
    sync(course, home, tmp_path)
    lessons = home / "lessons"
    (lessons / "01-b.ipynb").write_text("my answers")  # edited by the learner
    (lessons / "notes.txt").write_text("mine")  # the learner's own file
    (course / "00-a.ipynb").write_text("a2")  # the course changed a lesson...
    (course / "01-b.ipynb").write_text("b2")  # ...and one the learner edited
    (course / "02-c.ipynb").write_text("c1")  # a new lesson
    report = sync(course, home, tmp_path)
    assert report.updated == ["00-a.ipynb"] and (lessons / "00-a.ipynb").read_text() == "a2"
    assert report.kept == ["01-b.ipynb"] and (lessons / "01-b.ipynb").read_text() == "my answers"
    assert report.copied == ["02-c.ipynb"]
    assert (lessons / "notes.txt").read_text() == "mine"
    (lessons / "00-a.ipynb").unlink()
    report = sync(course, home, tmp_path)
    assert report.restored == ["00-a.ipynb"] and (lessons / "00-a.ipynb").read_text() == "a2"
    assert report.kept == ["01-b.ipynb"]


def test_a_learners_file_with_a_new_lessons_name_is_renamed(course, home, tmp_path):
    sync(course, home, tmp_path)
    (home / "lessons" / "02-c.ipynb").write_text("learner's own 02")
    (course / "02-c.ipynb").write_text("course 02")
    when = time.mktime((2026, 12, 3, 10, 0, 0, 0, 0, -1))
    report = sync(course, home, tmp_path, now=when)
    assert report.renamed == [("02-c.ipynb", "02-c_20261203100000.ipynb")]
    assert (home / "lessons" / "02-c_20261203100000.ipynb").read_text() == "learner's own 02"
    assert (home / "lessons" / "02-c.ipynb").read_text() == "course 02"


def test_restore_gives_a_fresh_copy_and_keeps_the_learners(course, home, tmp_path):
    sync(course, home, tmp_path)
    (home / "lessons" / "00-a.ipynb").write_text("{ broken json")
    kept = content.restore(course, str(home), UID, GID, tmp_path / "state" / "sync.json", "00-a.ipynb")
    assert kept and (home / "lessons" / kept).read_text() == "{ broken json"
    assert (home / "lessons" / "00-a.ipynb").read_text() == "a1"
    assert content.restore(course, str(home), UID, GID, tmp_path / "state" / "sync.json", "00-a.ipynb") is None
    with pytest.raises(content.ContentError, match="not one of the course's lessons"):
        content.restore(course, str(home), UID, GID, tmp_path / "state" / "sync.json", "../../etc/passwd")


def test_links_are_never_followed(course, home, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (home / "lessons").mkdir()
    (home / "lessons" / "00-a.ipynb").symlink_to(outside / "target")
    report = sync(course, home, tmp_path)
    assert not (outside / "target").exists(), "the hub wrote through a link"
    assert report.renamed and (home / "lessons" / "00-a.ipynb").read_text() == "a1"
    os.rename(home / "lessons", home / "old")
    (home / "lessons").symlink_to(outside)
    with pytest.raises(content.ContentError, match="not a folder"):
        sync(course, home, tmp_path)
    assert os.listdir(outside) == []


def test_status_reports_each_lesson(course, home, tmp_path):
    sync(course, home, tmp_path)
    (home / "lessons" / "01-b.ipynb").write_text("edited")
    (course / "00-a.ipynb").write_text("a2")
    (course / "02-c.ipynb").write_text("c1")
    assert content.status(course, str(home), tmp_path / "state" / "sync.json") == {
        "00-a.ipynb": "out of date",
        "01-b.ipynb": "edited",
        "02-c.ipynb": "missing",
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny file system needs root")
def test_a_full_disk_is_a_clear_message(course, home, tmp_path):
    import subprocess

    (course / "big.ipynb").write_bytes(b"x" * 200_000)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(home)], check=True, timeout=30)
    try:
        with pytest.raises(content.ContentError, match="The server's disk is full"):
            sync(course, home, tmp_path)
    finally:
        subprocess.run(["umount", str(home)], check=True, timeout=30)
