"""The committed lessons are executed as an ordinary user when the build runs as root (tools/learner.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
import pytest

from tools import learner
from tools.nb import execute_in_place

needs_root = pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0), reason="needs root")


def _notebook(folder: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


@needs_root
def test_a_root_build_runs_the_kernel_as_the_learner_and_shuts_it_down(monkeypatch):
    monkeypatch.delenv("CVM_EXECUTE_AS_ROOT", raising=False)
    before = set(Path(tempfile.gettempdir()).glob("cvm-execute-*"))
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        path = _notebook(Path(tmp), "import os, widgets\nprint(os.geteuid(), os.getpid(), bool(widgets.load))")
        nb = execute_in_place(path)
    uid, pid, imported = nb.cells[0].outputs[0]["text"].split(" ", 2)
    assert int(uid) == learner.learner().pw_uid != 0
    assert execute_in_place.who.startswith("as the ordinary user cvm-learner")
    assert imported.strip() == "True"  # the course's package is importable by the learner
    assert set(Path(tempfile.gettempdir()).glob("cvm-execute-*")) == before
    assert not Path(f"/proc/{pid}").exists()  # the learner's kernel was shut down, not left running


@needs_root
def test_root_is_kept_when_asked(monkeypatch):
    monkeypatch.setenv("CVM_EXECUTE_AS_ROOT", "1")
    assert not learner.wanted()
    with tempfile.TemporaryDirectory() as tmp:
        nb = execute_in_place(_notebook(Path(tmp), "import os\nprint(os.geteuid())"))
    assert nb.cells[0].outputs[0]["text"].strip() == "0"


def test_readable_by_others_needs_every_folder_searchable(tmp_path):
    inner = tmp_path / "a" / "b.txt"
    inner.parent.mkdir()
    inner.write_text("x")
    os.chmod(tmp_path, 0o755)
    os.chmod(inner.parent, 0o755)
    os.chmod(inner, 0o644)
    if learner.readable_by_others(tmp_path):  # tmp_path's own parents may be private on some machines
        assert learner.readable_by_others(inner)
        os.chmod(inner.parent, 0o700)
        assert not learner.readable_by_others(inner)
        os.chmod(inner.parent, 0o755)
        os.chmod(inner, 0o600)
        assert not learner.readable_by_others(inner)


@needs_root
def test_a_checkout_the_learner_cannot_read_is_copied_first(monkeypatch):
    """CI clones into a folder only root may read: the learner then runs from a readable copy of the course."""
    real = learner.readable_by_others
    monkeypatch.setattr(learner, "readable_by_others", lambda p: False if learner.ROOT in Path(p).parents else real(p))
    monkeypatch.delenv("CVM_EXECUTE_AS_ROOT", raising=False)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        nb = execute_in_place(_notebook(Path(tmp), "import widgets, os\nprint(widgets.__file__, os.geteuid())"))
    where, uid = nb.cells[0].outputs[0]["text"].split()
    assert int(uid) != 0 and "cvm-execute-" in where  # the package came from the copy, not the checkout
