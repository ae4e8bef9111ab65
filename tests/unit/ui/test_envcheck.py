"""Declared vs installed: the comparison, the lock parser, this environment."""

from __future__ import annotations

from widgets.labs import envcheck
from widgets.models import envcheck as envcheck_model
from widgets.ui import envcheck as envcheck_ui


def test_compare_names_every_kind_of_difference():
    declared = {"NumPy": "2.4.6", "plotly": "7.1.0", "pyyaml": "6.0.4", "pip": "24"}
    actual = {"numpy": "2.4.6", "plotly": "6.0.0", "requests": "2.32", "pip": "23"}
    report = envcheck_model.compare(declared, actual, ignore=["pip"])
    status = {r.name: r.status for r in report.rows}
    assert status == {"numpy": "same", "plotly": "different", "pyyaml": "missing", "requests": "undeclared"}
    assert report.counts == {"same": 1, "different": 1, "missing": 1, "undeclared": 1}
    assert not report.consistent
    assert [r.name for r in report.problems()] == ["plotly", "pyyaml", "requests"]
    text = envcheck_ui.summarize(report)
    assert "1 differ in version" in text and "does NOT match" in text
    html = envcheck_ui.report_html(report)
    assert "plotly" in html and "6.0.0" in html and "declared, not installed" in html
    fig = envcheck_ui.figure(report)
    assert list(fig.data[0].y) == [1, 1, 1, 1]


def test_undeclared_extras_do_not_break_consistency():
    report = envcheck_model.compare({"a": "1"}, {"a": "1", "b": "2"})
    assert report.consistent and report.counts["undeclared"] == 1
    assert "✔" in envcheck_ui.report_html(envcheck_model.compare({"a": "1"}, {"a": "1"}))


def test_this_environment_matches_the_lock():
    report = envcheck.course_environment()
    assert len(report.rows) > 50
    assert report.consistent, envcheck_ui.report_html(report)
