"""The drift detector on a real directory tree: what changed, disappeared or appeared, and what cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets.labs import filestate
from widgets.labs.filestate import actual_state, desired_state, detect, lab, read_manifest, write_manifest


def test_paths_are_compared_exactly(tmp_path):
    # envcheck normalises names like packages; paths differing only in case or '.'/'_' must stay apart.
    for name in ("App.conf", "app.conf", "app_conf"):
        (tmp_path / name).write_text(name)
    desired = desired_state(tmp_path)
    assert set(desired) == {"App.conf", "app.conf", "app_conf"}
    (tmp_path / "app_conf").write_text("edited")
    assert [(r.name, r.status) for r in detect(desired, tmp_path).problems()] == [("app_conf", "different")]


def test_unreadable_file_is_reported_not_raised(tmp_path, monkeypatch):
    (tmp_path / "secret").write_text("x")
    (tmp_path / "open").write_text("y")
    desired = desired_state(tmp_path)
    real = filestate._digest

    def denied(path: Path) -> str:
        if path.name == "secret":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(filestate, "_digest", denied)
    assert actual_state(tmp_path)["secret"] == "unreadable (Permission denied)"
    report = detect(desired, tmp_path)
    assert [(r.name, r.status) for r in report.problems()] == [("secret", "different")]


def test_links_and_special_files_are_not_followed(tmp_path):
    import os

    (tmp_path / "target").write_text("t")
    (tmp_path / "link").symlink_to("target")
    os.mkfifo(tmp_path / "fifo")  # reading it would block: it must only be described
    state = actual_state(tmp_path)
    assert state["link"].endswith("link -> target") and state["fifo"].endswith("special file")


def test_manifest_round_trip_and_malformed(tmp_path):
    with lab() as (_root, desired):
        write_manifest(desired, tmp_path / "m.json")
    assert read_manifest(tmp_path / "m.json") == desired
    cases = {
        "bad.json": ("{not json", "not valid JSON"),
        "list.json": ("[1, 2]", "must be a JSON object"),
        "nofiles.json": ('{"x": {}}', "must be a JSON object"),
        "num.json": ('{"files": {"etc/a": 5}}', "must be a 'mode sha256' string"),
        "abs.json": ('{"files": {"/etc/a": "0644 ab"}}', "relative path"),
        "up.json": ('{"files": {"../a": "0644 ab"}}', "relative path"),
        "bytes.json": (b"\xff\xfe", "cannot read"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(ValueError, match=words):
            read_manifest(path)
    with pytest.raises(ValueError, match="cannot read the manifest"):
        read_manifest(tmp_path / "absent.json")
    with pytest.raises(ValueError, match="must map relative paths"):
        detect(["etc/a"], tmp_path)
    assert json.loads((tmp_path / "m.json").read_text())["files"] == desired


def test_missing_root_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist or is not a directory"):
        detect({}, tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        actual_state(tmp_path / "file")


def test_lab_removes_its_temp_dir_also_on_error():
    with lab() as (root, _desired):
        top = root.parent
        assert top.name.startswith("cvm-drift-") and (root / "etc/app.conf").is_file()
    assert not top.exists()
    with pytest.raises(RuntimeError), lab() as (root, _desired):
        top = root.parent
        raise RuntimeError("boom")
    assert not top.exists()
