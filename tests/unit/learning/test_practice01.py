"""Lesson 01's seeded practice: the same seed gives the same problem, the answer is the model's, and the
usual mistakes and hostile input get feedback."""

from __future__ import annotations

import pytest

from widgets.learning import memio, trapsim
from widgets.learning.checks import Feedback
from widgets.learning.countproblem import CountProblem
from widgets.models import guestio, iopaths, toycpu

PRACTICES = [(trapsim.practice, trapsim.trap_problem, trapsim.check_practice),
             (memio.io_practice, memio.io_problem, memio.check_io_practice)]  # fmt: skip


@pytest.mark.parametrize(("practice", "problem", "check"), PRACTICES)
def test_same_seed_same_problem_and_many_different_ones(practice, problem, check):
    assert repr(practice(7)) == repr(practice(7)) == problem(7).show()
    assert len({repr(practice(s)) for s in range(40)}) >= 30


@pytest.mark.parametrize(("practice", "problem", "check"), PRACTICES)
def test_right_answer_is_correct_and_show_gives_the_worked_answer(practice, problem, check):
    for seed in range(60):
        p = problem(seed)
        assert isinstance(p, CountProblem)
        assert practice(seed, answer=p.answer).correct and check(seed, p.answer).correct
        assert practice(seed, answer=str(p.answer)).correct
        shown = repr(practice(seed, show=True))
        assert "Worked answer" in shown and p.worked() in shown and str(p.answer) in p.worked()
        assert not check(seed, p.answer + 1).correct
        assert "cvm-practice" in practice(seed)._repr_html_()


def test_trap_answers_come_from_the_toy_cpu():
    modes = set()
    for seed in range(60):
        p = trapsim.trap_problem(seed)
        mode, program = p.given["mode"], p.given["program"]
        modes.add(mode)
        assert mode in p.title and program.text in p.question
        assert p.answer == toycpu.run_virtualized(program, mode=mode).total_traps
    assert modes == set(trapsim.MONITORS)


def _seed_where(problem, words: str) -> tuple[int, int]:
    """A seed whose problem lists a mistake with ``words``, and that wrong answer."""
    for s in range(300):
        for wrong, why in problem(s).mistakes.items():
            if words in why:
                return s, wrong
    raise AssertionError(f"no seed has a mistake with {words!r}")


def test_trap_mistakes_are_named():
    seed, wrong = _seed_where(trapsim.trap_problem, "trap-and-emulate count")
    fb = trapsim.check_practice(seed, wrong)
    assert not fb.correct and "only OUT and HLT leave the guest" in fb.message
    seed, wrong = _seed_where(trapsim.trap_problem, "POPF/RDMODE")
    assert "the x86 problem" in trapsim.check_practice(seed, wrong).message
    seed, wrong = _seed_where(trapsim.trap_problem, "the loop runs some of them again")
    assert "loop" in trapsim.check_practice(seed, wrong).message


def test_io_answers_come_from_the_model_the_lab_asserts():
    paths = set()
    for seed in range(80):
        p = memio.io_problem(seed)
        g = p.given
        path, n, chunk, batch = g["path"], g["n_bytes"], g["chunk"], g["per_doorbell"]
        paths.add(path)
        assert f"{n}-byte message" in p.question
        if path != "serial":
            every = "every descriptor" if batch == 1 else f"every {batch} descriptors"
            assert f"{chunk}-byte buffers" in p.question and every in p.question
        expected = iopaths.exits_to_user_space(path, n, chunk, batch)
        assert p.answer == sum(expected.values()) == sum(guestio.expected_exits(path, n, chunk, batch).values())
    assert paths == set(iopaths.PATHS)


def test_io_mistakes_are_named():
    seed, wrong = _seed_where(memio.io_problem, "eventfd")
    assert memio.io_problem(seed).answer == 1
    assert "never returns to user space" in memio.check_io_practice(seed, wrong).message
    seed, wrong = _seed_where(memio.io_problem, "UART's count")
    assert "UART's count" in memio.check_io_practice(seed, wrong).message
    seed, wrong = _seed_where(memio.io_problem, "not once per descriptor")
    assert "not once per descriptor" in memio.check_io_practice(seed, wrong).message


@pytest.mark.parametrize(("practice", "problem", "check"), PRACTICES)
@pytest.mark.parametrize("seed", [-1, 1.5, None, True, 2**64, "seven"])
def test_bad_seeds_are_refused(practice, problem, check, seed):
    with pytest.raises(ValueError, match="seed"):
        practice(seed)
    with pytest.raises(ValueError, match="seed"):
        check(seed, 3)


@pytest.mark.parametrize(("practice", "problem", "check"), PRACTICES)
@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        ("", "missing", "empty"),
        (..., "missing", "empty"),
        (None, "missing", "empty"),
        ("abc", "incorrect", "number"),
        ([3], "incorrect", "number"),
        (-1, "incorrect", ""),
    ],
)
def test_hostile_answers_get_feedback(practice, problem, check, answer, status, words):
    for fb in (practice(3, answer=answer), check(3, answer)):
        assert isinstance(fb, Feedback) and fb.status == status and words in fb.message + fb.hint


@pytest.mark.parametrize(("practice", "problem", "check"), PRACTICES)
def test_show_must_be_a_bool(practice, problem, check):
    with pytest.raises(ValueError, match="show must be True or False"):
        practice(3, show="yes")
