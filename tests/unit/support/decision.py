"""Helpers the decision tests of several floors share."""

from __future__ import annotations

from widgets.core.validate import defaults_of
from widgets.models.decision import decide as _model
from widgets.models.rules import QUESTIONS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


def case(application: int, load: int, team: int, isolation: int, platform: int, ops: int, horizon: int) -> dict:
    """Answers by index into each question's choices, in the order of QUESTIONS."""
    idx = (application, load, team, isolation, platform, ops, horizon)
    return {k: QUESTIONS[k][1][i] for k, i in zip(QUESTIONS, idx, strict=True)}
