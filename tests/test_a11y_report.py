"""``make a11y`` (tools/a11y.py) without a browser: what blocks, the counts by rule, the report's tables. The
audit itself runs in the browser tests (tests/test_site.py, tests/browser/test_lab.py) with the real axe-core."""

from __future__ import annotations

from tools import a11y

V = a11y.Violation


def sample():
    site = {
        "index.html": [],
        "00-start-here.html": [V("color-contrast", "serious", 3, "Contrast", ".x  <span>a|b</span>")],
    }
    content = {"00-start-here.ipynb": [V("heading-order", "moderate", 1, "Order", "h4  <h4>Quiz</h4>")]}
    chrome = {"00-start-here.ipynb": [V("button-name", "critical", 10, "Names", "button  <button>")]}
    return site, content, chrome


def test_only_serious_and_critical_block():
    site, content, chrome = sample()
    assert [v.rule for v in a11y.blocking(site["00-start-here.html"])] == ["color-contrast"]
    assert a11y.blocking(content["00-start-here.ipynb"]) == []
    assert a11y.counts_by_rule(chrome) == {"button-name": 10}


def test_report_lists_each_page_rule_count_impact_and_an_example_with_the_chrome_apart():
    site, content, chrome = sample()
    text = a11y.report(site, content, chrome, "4.12.1")
    assert "axe-core 4.12.1" in text and "**1**" in text  # one blocking rule in the course's own content
    assert "| site | `color-contrast` | 3 |" in text and "| JupyterLab chrome | `button-name` | 10 |" in text
    assert "### index.html\n\nNo violations." in text
    assert "| `color-contrast` | serious | 3 | `.x  <span>a\\|b</span>` |" in text  # a | in HTML is escaped
    assert text.index("JupyterLab's chrome") > text.index("Lessons in JupyterLab: content")


def test_axe_ships_with_the_environment():
    source = a11y.axe_source()
    assert source.stat().st_size > 100_000 and "axe v4." in source.read_text(encoding="utf-8")[:200]
