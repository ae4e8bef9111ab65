"""A multiple-choice quiz with an explanation for every option.

Choosing an option shows at once whether it is right and *why* (for wrong
options too), and a running score. Stored without a kernel, the quiz shows
as a static list of its questions, so the lesson still reads well.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as ipw

from ..ui.access import Access
from ..ui.figures import widget_view


@dataclass(frozen=True)
class Option:
    """One answer option: its text, whether it is right, and why."""

    text: str
    correct: bool
    why: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("an option needs non-empty text")
        if not isinstance(self.why, str) or not self.why.strip():
            raise ValueError(f"option {self.text!r} needs an explanation (why)")


KINDS = ("scenario", "recall")


@dataclass(frozen=True)
class Question:
    """A question with two or more options, exactly one of them right.

    ``kind`` is ``"scenario"`` (apply an idea to a described system) or ``"recall"`` (a definition);
    ``lesson`` (``"03"``) says which lesson a course-wide question draws on.
    """

    prompt: str
    options: tuple[Option, ...]
    kind: str = "recall"
    lesson: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"question kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise ValueError("a question needs a non-empty prompt")
        if len(self.options) < 2:
            raise ValueError(f"question {self.prompt!r} needs at least two options")
        if sum(o.correct for o in self.options) != 1:
            raise ValueError(f"question {self.prompt!r} must have exactly one right option")
        if len({o.text for o in self.options}) != len(self.options):
            raise ValueError(f"question {self.prompt!r} has two options with the same text")

    def answer(self, choice: str | int) -> tuple[bool, str]:
        """Return (is it right, the explanation) for an option text or index."""
        if isinstance(choice, int) and not isinstance(choice, bool):
            if not 0 <= choice < len(self.options):
                raise ValueError(f"option index must be 0..{len(self.options) - 1}, got {choice}")
            option = self.options[choice]
        else:
            matches = [o for o in self.options if o.text == choice]
            if not matches:
                raise ValueError(f"{choice!r} is not an option of {self.prompt!r}")
            option = matches[0]
        return option.correct, option.why


def q(prompt: str, *options: tuple[str, bool, str], kind: str = "recall", lesson: str = "") -> Question:
    """Shorthand: ``q("prompt", ("text", True, "why"), ("text", False, "why"), kind="scenario")``.

    Each wrong option's ``why`` names the misconception it stands for and corrects it.
    """
    return Question(prompt, tuple(Option(*o) for o in options), kind, lesson)


class Quiz(ipw.VBox):
    """An interactive quiz.

    Parameters
    ----------
    questions:
        The questions, in order.
    title:
        Heading shown above the questions.
    """

    def __init__(self, questions: Sequence[Question], title: str = "Quiz") -> None:
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.questions = tuple(questions)
        self.title = title
        self.choices = []
        self.feedback = []
        self.score = ipw.HTML()
        self.score.add_class("cvm-quiz-score")
        # An h3: the lesson's own "## Quiz" heading is the h2 above it.
        rows: list[ipw.Widget] = [ipw.HTML(f"<h3 style='margin:0.3em 0;font-size:1.05em'>{html.escape(title)}</h3>")]
        for i, question in enumerate(self.questions, 1):
            radio = ipw.RadioButtons(
                options=[o.text for o in question.options],
                value=None,
                layout=ipw.Layout(width="auto"),
            )
            radio.add_class("cvm-quiz-choice")
            fb = ipw.HTML()
            fb.add_class("cvm-quiz-feedback")
            radio.observe(self._on_choice, names="value")
            self.choices.append(radio)
            self.feedback.append(fb)
            prompt = ipw.HTML(f"<b>{i}. {html.escape(question.prompt)}</b>")
            prompt.add_class("cvm-quiz-prompt")
            rows += [prompt, radio, fb]
        # Access: each question's options as a radio group named by its prompt, feedback read aloud.
        rows += [self.score, Access("quiz")]
        super().__init__(rows)
        self.add_class("cvm-quiz")
        self._refresh_score()

    def choose(self, index: int, option: str | int) -> None:
        """Select an option of question ``index`` (0-based) as a learner would."""
        question = self.questions[index]
        text = question.options[option].text if isinstance(option, int) else option
        self.choices[index].value = text

    def _on_choice(self, _change: Any) -> None:
        for question, radio, fb in zip(self.questions, self.choices, self.feedback, strict=True):
            if radio.value is None:
                fb.value = ""
                continue
            right, why = question.answer(radio.value)
            mark, colour = ("✔ Right", "#009E73") if right else ("✘ Not quite", "#D55E00")
            fb.value = (
                f'<div style="border-left:4px solid {colour};padding:2px 8px;margin-bottom:6px">'
                f"<b>{mark}.</b> {html.escape(why)}</div>"
            )
        self._refresh_score()

    @property
    def answered(self) -> int:
        """How many questions have a chosen option."""
        return sum(r.value is not None for r in self.choices)

    @property
    def correct(self) -> int:
        """How many chosen options are right."""
        return sum(
            q.answer(r.value)[0] for q, r in zip(self.questions, self.choices, strict=True) if r.value is not None
        )

    def _refresh_score(self) -> None:
        n = len(self.questions)
        self.score.value = f"<i>Score: {self.correct} of {n} right ({self.answered} answered).</i>"

    def static_html(self) -> str:
        """The questions and options as HTML, for a notebook opened without a kernel."""
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for i, question in enumerate(self.questions, 1):
            items = "".join(f"<li>{html.escape(o.text)}</li>" for o in question.options)
            parts.append(f"<p><b>{i}. {html.escape(question.prompt)}</b></p><ul>{items}</ul>")
        parts.append("<p><i>Run this cell to answer and see an explanation for each option.</i></p>")
        return "".join(parts)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = widget_view(super()._repr_mimebundle_(**kwargs))
        data["text/html"] = self.static_html()
        data["text/plain"] = f"{self.title}: {len(self.questions)} questions (run the cell to answer)"
        return data
