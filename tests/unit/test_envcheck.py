"""Declared vs installed: the comparison, the lock parser, this environment."""

from __future__ import annotations

import pytest

from widgets import envcheck

LOCK = """\
# a comment
numpy==2.4.6 ; python_full_version < '3.12'
numpy==2.5.5 ; python_full_version >= '3.12'
Jupyter_Core==5.9.1
    # via jupyterlab
pywin32==311 ; sys_platform == 'win32'
"""
LINUX_311 = {"python_full_version": "3.11.7", "sys_platform": "linux", "python_version": "3.11",
             "platform_system": "Linux", "os_name": "posix", "implementation_name": "cpython",
             "platform_machine": "x86_64", "platform_python_implementation": "CPython",
             "platform_release": "", "platform_version": "", "implementation_version": "3.11.7",
             "extra": ""}


def test_lock_parser_evaluates_markers_and_normalizes_names():
    pins = envcheck.declared_pins(LOCK, LINUX_311)
    assert pins == {"numpy": "2.4.6", "jupyter-core": "5.9.1"}
    win = dict(LINUX_311, sys_platform="win32", python_full_version="3.12.1")
    assert envcheck.declared_pins(LOCK, win) == {"numpy": "2.5.5", "jupyter-core": "5.9.1", "pywin32": "311"}


@pytest.mark.parametrize(("text", "words"), [
    ("numpy>=2\n", "not a 'name==version' pin"),
    ("numpy==2 ; python_version <<< '3'\n", "invalid marker"),
    (None, "must be a string"),
])
def test_lock_parser_refuses_bad_lines(text, words):
    with pytest.raises(ValueError, match=words):
        envcheck.declared_pins(text, LINUX_311)


def test_compare_names_every_kind_of_difference():
    declared = {"NumPy": "2.4.6", "plotly": "7.1.0", "pyyaml": "6.0.4", "pip": "24"}
    actual = {"numpy": "2.4.6", "plotly": "6.0.0", "requests": "2.32", "pip": "23"}
    report = envcheck.compare(declared, actual, ignore=["pip"])
    status = {r.name: r.status for r in report.rows}
    assert status == {"numpy": "same", "plotly": "different", "pyyaml": "missing", "requests": "undeclared"}
    assert report.counts == {"same": 1, "different": 1, "missing": 1, "undeclared": 1}
    assert not report.consistent
    assert [r.name for r in report.problems()] == ["plotly", "pyyaml", "requests"]
    text = envcheck.summarize(report)
    assert "1 differ in version" in text and "does NOT match" in text
    html = envcheck.report_html(report)
    assert "plotly" in html and "6.0.0" in html and "declared, not installed" in html
    fig = envcheck.figure(report)
    assert list(fig.data[0].y) == [1, 1, 1, 1]


def test_undeclared_extras_do_not_break_consistency():
    report = envcheck.compare({"a": "1"}, {"a": "1", "b": "2"})
    assert report.consistent and report.counts["undeclared"] == 1
    assert "✔" in envcheck.report_html(envcheck.compare({"a": "1"}, {"a": "1"}))


def test_compare_refuses_non_mappings():
    with pytest.raises(ValueError, match="must be a mapping"):
        envcheck.compare(["a"], {})


def test_this_environment_matches_the_lock():
    report = envcheck.course_environment()
    assert len(report.rows) > 50
    assert report.consistent, envcheck.report_html(report)


def test_missing_lock_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the lock file"):
        envcheck.course_environment(tmp_path / "nope.lock")


def test_environment_report_live_and_recorded():
    live, why = envcheck.environment_report("auto")
    assert "Live" in why and live.consistent
    recorded, why = envcheck.environment_report("off")
    assert "live='off'" in why and "2026-11-26" in why and recorded.consistent
    assert recorded.actual_from.startswith("the course's build machine")
    with pytest.raises(ValueError, match="live must be one of"):
        envcheck.environment_report("maybe")
