"""Lesson 01's seeded practice: the same seed gives the same problem, the answer is the model's, and the
usual mistakes and hostile input get feedback."""

from __future__ import annotations

import pytest

from widgets.learning import memio, trapsim
from widgets.learning.checks import Feedback
from widgets.learning.seeded import Problem
from widgets.models import guestio, iopaths, toycpu

PRACTICES = [trapsim.practice, memio.io_practice]


@pytest.mark.parametrize("practice", PRACTICES)
def test_same_seed_same_problem_and_many_different_ones(practice):
    assert repr(practice(7)) == repr(practice(7))
    assert len({repr(practice(s)) for s in range(40)}) >= 30


@pytest.mark.parametrize("practice", PRACTICES)
def test_right_answer_is_correct_and_show_gives_the_worked_answer(practice):
    for seed in range(60):
        problem = practice(seed)
        assert isinstance(problem, Problem) and not problem.shown
        assert practice(seed, answer=problem.answer).correct
        assert practice(seed, answer=str(problem.answer)).correct
        shown = practice(seed, show=True)
        assert shown.shown and "Worked answer" in repr(shown) and str(problem.answer) in shown.worked
        assert not practice(seed, answer=problem.answer + 1).correct


def test_trap_answers_come_from_the_toy_cpu():
    modes = set()
    for seed in range(60):
        problem = trapsim.practice(seed)
        mode, program = problem.given["mode"], problem.given["program"]
        modes.add(mode)
        assert mode in problem.title and program.text in problem.question
        assert problem.answer == toycpu.run_virtualized(program, mode=mode).total_traps
    assert modes == set(trapsim.MONITORS)


def test_trap_mistakes_are_named():
    seed = next(
        s
        for s in range(300)
        if "hardware-assisted" in trapsim.practice(s).title
        and any("trap-and-emulate count" in w for w in trapsim.practice(s).mistakes.values())
    )
    wrong = next(k for k, w in trapsim.practice(seed).mistakes.items() if "trap-and-emulate count" in w)
    fb = trapsim.practice(seed, answer=wrong)
    assert not fb.correct and "only OUT and HLT leave the guest" in fb.message
    seed = next(s for s in range(300) if any("POPF/RDMODE" in w for w in trapsim.practice(s).mistakes.values()))
    wrong = next(k for k, w in trapsim.practice(seed).mistakes.items() if "POPF/RDMODE" in w)
    assert "the x86 problem" in trapsim.practice(seed, answer=wrong).message


def test_io_answers_come_from_the_model_the_lab_asserts():
    paths = set()
    for seed in range(80):
        problem = memio.io_practice(seed)
        g = problem.given
        path, n, chunk, batch = g["path"], g["n_bytes"], g["chunk"], g["per_doorbell"]
        paths.add(path)
        assert f"{n}-byte message" in problem.question
        if path != "serial":
            assert f"{chunk}-byte buffers" in problem.question and f"every {batch} descriptor" in problem.question
        expected = iopaths.exits_to_user_space(path, n, chunk, batch)
        assert problem.answer == sum(expected.values()) == sum(guestio.expected_exits(path, n, chunk, batch).values())
    assert paths == set(iopaths.PATHS)


def test_io_mistakes_are_named():
    seed = next(s for s in range(200) if "ring-ioeventfd" in memio.io_practice(s).title)
    p = memio.io_practice(seed)
    assert p.answer == 1
    wrong = next(k for k, w in p.mistakes.items() if "eventfd" in w)
    assert "never returns to user space" in memio.io_practice(seed, answer=wrong).message
    seed = next(s for s in range(200) if "ring-port" in memio.io_practice(s).title)
    p = memio.io_practice(seed)
    uart = next(k for k, w in p.mistakes.items() if "UART" in w)
    assert "UART's count" in memio.io_practice(seed, answer=uart).message


@pytest.mark.parametrize("practice", PRACTICES)
@pytest.mark.parametrize("seed", [-1, 1.5, "3", None, True, 2**64])
def test_bad_seeds_are_refused(practice, seed):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        practice(seed)


@pytest.mark.parametrize("practice", PRACTICES)
@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        ("", "missing", "empty"),
        (..., "missing", "empty"),
        ("abc", "incorrect", "number"),
        ([3], "incorrect", "number"),
        (-1, "incorrect", ""),
    ],
)
def test_hostile_answers_get_feedback(practice, answer, status, words):
    fb = practice(3, answer=answer)
    assert isinstance(fb, Feedback) and fb.status == status and words in fb.message + fb.hint


@pytest.mark.parametrize("practice", PRACTICES)
def test_show_must_be_a_bool(practice):
    with pytest.raises(ValueError, match="show must be True or False"):
        practice(3, show="yes")


@pytest.mark.parametrize(("practice", "check"), [(trapsim.practice, trapsim.check_practice),
                                                 (memio.io_practice, memio.check_io_practice)])  # fmt: skip
def test_the_check_cells_name_is_the_same_check(practice, check):
    right = practice(5).answer
    assert check(5, right).correct and not check(5, right + 1).correct
    assert check(5, None).status == check(5, ...).status == "missing"
