"""What assistive technology gets from the kernel side (widgets/ui/access.py): every calculator and quiz carries
an Access widget, a calculator's update counter reaches it, a static figure's summary is a FigureSummary beside
the same HTML. The browser side (ARIA set in the page, the keyboard) is tested in tests/browser/test_lab.py."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from widgets import Quiz, TimescaleCalculator, new_figure, q, show_figure
from widgets.ui.access import ESM, Access, FigureSummary
from widgets.ui.calculator import WIDGET_VIEW_MIME
from widgets.ui.decision import DecisionAid


def test_access_kinds_are_checked():
    assert Access().kind == "calculator" and Access("quiz").kind == "quiz"
    assert Access().layout.display == "none"  # it never takes space
    with pytest.raises(ValueError, match="kind must be 'calculator' or 'quiz'"):
        Access("figure")


def test_every_calculator_counts_its_updates_on_its_access_widget():
    calc = TimescaleCalculator()
    assert calc.children[-1] is calc.access and calc.access.kind == "calculator"
    start = calc.access.updates
    assert start == calc.attempts >= 1
    calc.controls["my_time_ms"].value = "30000"
    assert calc.access.updates == start + 1  # a success
    calc.controls["my_time_ms"].value = "-5"
    assert calc.error and calc.access.updates == start + 2  # a refusal counts too: the page sees an answer


def test_quiz_names_each_question_for_its_radio_group():
    quiz = Quiz([q("Which?", ("a", True, "yes"), ("b", False, "no"))])
    access = [w for w in quiz.children if isinstance(w, Access)]
    assert len(access) == 1 and access[0].kind == "quiz"
    prompts = [w for w in quiz.children if "cvm-quiz-prompt" in w._dom_classes]
    assert len(prompts) == len(quiz.choices) == 1
    assert quiz.children[0].value.startswith("<h3")  # under the lesson's "## Quiz": no level skipped
    quiz.choose(0, 1)
    assert quiz.feedback[0].value.count("✘ Not quite.") == 1  # in words, not only in colour


def test_static_figure_summary_is_a_widget_beside_the_same_html():
    shell = InteractiveShell.instance()
    outputs = []
    shell.display_pub.publish = lambda data, **kw: outputs.append(data)
    show_figure(new_figure("A title", "x (s)", "y (ms)"), "One sentence.")
    summary = outputs[1]
    assert WIDGET_VIEW_MIME in summary  # drawn by FigureSummary in a kernel ...
    assert "Figure: A title." in summary["text/html"]  # ... and kept as HTML in a stored notebook
    assert summary["text/plain"] == "One sentence."


def test_the_page_code_sets_what_screen_readers_and_the_keyboard_need():
    for needed in ("aria-describedby", "aria-live", "role', 'figure'", "radiogroup", "data-lm-suppress-shortcuts"):
        assert needed in ESM, needed
    assert FigureSummary(html="<p class='cvm-summary'>x</p>").kind == "figure"


def test_decision_export_says_it_happened_each_time():
    aid = DecisionAid()
    aid.export()
    aid.export()
    assert aid.exports == 2 and "Exported (2×)" in aid.export_note.value and "aria-live" in aid.export_note.value
    assert "cvm-output" in aid.markdown._dom_classes  # an output, not an input the keyboard test must change
