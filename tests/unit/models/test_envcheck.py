"""Declared vs installed: the comparison, the lock parser, this environment."""

from __future__ import annotations

import pytest

from widgets.models import envcheck as envcheck_model

LOCK = """\
# a comment
numpy==2.4.6 ; python_full_version < '3.12'
numpy==2.5.5 ; python_full_version >= '3.12'
Jupyter_Core==5.9.1
    # via jupyterlab
pywin32==311 ; sys_platform == 'win32'
"""


LINUX_311 = {
    "python_full_version": "3.11.7",
    "sys_platform": "linux",
    "python_version": "3.11",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_version": "",
    "implementation_version": "3.11.7",
    "extra": "",
}


def test_lock_parser_evaluates_markers_and_normalizes_names():
    pins = envcheck_model.declared_pins(LOCK, LINUX_311)
    assert pins == {"numpy": "2.4.6", "jupyter-core": "5.9.1"}
    win = dict(LINUX_311, sys_platform="win32", python_full_version="3.12.1")
    assert envcheck_model.declared_pins(LOCK, win) == {"numpy": "2.5.5", "jupyter-core": "5.9.1", "pywin32": "311"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("numpy>=2\n", "not a 'name==version' pin"),
        ("numpy==2 ; python_version <<< '3'\n", "invalid marker"),
        (None, "must be a string"),
    ],
)
def test_lock_parser_refuses_bad_lines(text, words):
    with pytest.raises(ValueError, match=words):
        envcheck_model.declared_pins(text, LINUX_311)


def test_compare_refuses_non_mappings():
    with pytest.raises(ValueError, match="must be a mapping"):
        envcheck_model.compare(["a"], {})
