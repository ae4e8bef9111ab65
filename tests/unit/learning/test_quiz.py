"""The quiz explains every option and keeps score."""

from __future__ import annotations

import pytest

from widgets import Quiz, q
from widgets.learning.quiz import Option, Question
from widgets.ui.calculator import WIDGET_VIEW_MIME


def make_quiz() -> Quiz:
    return Quiz(
        [
            q("2 + 2?", ("4", True, "arithmetic"), ("5", False, "off by one")),
            q("Capital of France?", ("Paris", True, "yes"), ("Lyon", False, "second city"), ("Nice", False, "south")),
        ]
    )


def test_choosing_shows_explanation_and_score():
    quiz = make_quiz()
    assert "0 of 2 right (0 answered)" in quiz.score.value
    quiz.choose(0, "5")
    assert "off by one" in quiz.feedback[0].value and "Not quite" in quiz.feedback[0].value
    assert quiz.correct == 0 and quiz.answered == 1
    quiz.choose(0, 0)
    quiz.choose(1, "Paris")
    assert "Right" in quiz.feedback[1].value
    assert quiz.correct == 2 and "2 of 2 right" in quiz.score.value


def test_static_view_lists_questions_without_answers():
    quiz = make_quiz()
    bundle = quiz._repr_mimebundle_()
    assert WIDGET_VIEW_MIME in bundle
    assert "Capital of France?" in bundle["text/html"] and "Lyon" in bundle["text/html"]
    assert "second city" not in bundle["text/html"]
    assert bundle["text/plain"].startswith("Quiz: 2 questions")


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Question("p", (Option("a", True, "w"),)), "at least two options"),
        (lambda: Question("p", (Option("a", True, "w"), Option("b", True, "w"))), "exactly one right"),
        (lambda: Question("p", (Option("a", False, "w"), Option("b", False, "w"))), "exactly one right"),
        (lambda: Question("p", (Option("a", True, "w"), Option("a", False, "w"))), "same text"),
        (lambda: Question("", (Option("a", True, "w"), Option("b", False, "w"))), "non-empty prompt"),
        (lambda: Option("a", True, ""), "explanation"),
        (lambda: Quiz([]), "at least one question"),
    ],
)
def test_malformed_quizzes_are_refused(build, words):
    with pytest.raises(ValueError, match=words):
        build()


def test_answer_by_index_checks_range():
    question = make_quiz().questions[0]
    assert question.answer(0) == (True, "arithmetic")
    with pytest.raises(ValueError, match="0..1"):
        question.answer(5)
    with pytest.raises(ValueError, match="not an option"):
        question.answer("7")
