"""The instructor's kit: the generated schedule, the setup check and the student build."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS, ROOT
from tools import schedule
from tools.student import strip_solutions
from widgets import selfcheck
from widgets.core import course
from widgets.core.course import EXERCISE_KINDS, ExerciseInfo, LessonInfo
from widgets.labs.base import Capability

SCHEDULE = ROOT / "instructor" / "schedule.md"


def fake(*minutes: tuple[int, int]) -> list[LessonInfo]:
    """Lessons 00, 01, ... with the given (teaching, exercises) minutes and no exercise metadata."""
    return [LessonInfo(i, f"{i:02d} · Lesson {i}", Path(f"{i:02d}-x.ipynb"), t, e) for i, (t, e) in enumerate(minutes)]


def lesson(number: int, teaching: int, *exercises: tuple[str, int]) -> LessonInfo:
    """A synthetic lesson whose exercises carry (kind, minutes) metadata, numbered 1..K."""
    items = tuple(ExerciseInfo(n, f"task {n}", kind, m) for n, (kind, m) in enumerate(exercises, start=1))
    return LessonInfo(
        number,
        f"{number:02d} · Lesson {number}",
        Path(f"{number:02d}-x.ipynb"),
        teaching,
        sum(m for _, m in exercises),
        items,
    )


def synthetic_course(seed: int) -> list[LessonInfo]:
    """Nine to ten lessons with seeded teaching minutes and one to five exercises of every kind (synthetic)."""
    rng = random.Random(seed)
    return [
        lesson(
            i,
            rng.randint(15, 75),
            *[(rng.choice(EXERCISE_KINDS), rng.randint(2, 20)) for _ in range(rng.randint(1, 5))],
        )
        for i in range(rng.randint(9, 10))
    ]


def timed(slots: list[schedule.Slot]) -> list[schedule.Slot]:
    return [s for s in slots if s.start is not None]


def assert_every_lesson_keeps_one_in_class(lessons, slots) -> None:
    """Each itemised lesson with exercises has an in-class slot holding its kept exercise, predict/edit if any."""
    for x in lessons:
        if not (x.exercise_list and schedule.itemised(x)):
            continue
        in_class = [w for s in slots if s.kind == "exercises" and s.lesson == x.number for w in s.work]
        kept = schedule.kept_in_class(x)
        assert kept in in_class, f"lesson {x.number:02d} has no hands-on exercise in class"
        if any(e.kind in schedule.HANDS_ON for e in x.exercise_list):
            assert kept.kind in schedule.HANDS_ON


def assert_minutes_add_up(lessons, slots) -> None:
    """Per lesson: one teaching slot; in-class and at-home exercises are each exercise exactly once."""
    content = [s for s in slots if s.kind != "break"]
    assert sum(s.minutes for s in content) == sum(x.teaching + x.exercises for x in lessons)
    for x in lessons:
        assert [s.minutes for s in content if s.lesson == x.number and s.kind == "teaching"] == [x.teaching]
        mine = [s for s in content if s.lesson == x.number and s.kind in ("exercises", "homework")]
        assert sum(s.minutes for s in mine) == x.exercises
        assert all(s.minutes == sum(w.minutes for w in s.work) for s in mine)
        pieces = sorted((w.number or 0, w.minutes) for s in mine for w in s.work)
        if schedule.itemised(x):
            assert pieces == sorted((e.number, e.minutes) for e in x.exercise_list)


# -- schedule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lessons",
    [
        course.lessons(),
        fake((45, 15), (50, 30), (40, 20)),
        fake(*[(60, 40)] * 9),
        synthetic_course(1),
        [lesson(0, 30, ("predict", 5), ("apply", 10)), lesson(1, 40, ("edit", 12))],
    ],
    ids=["real", "fits", "overruns", "itemised-overruns", "itemised-fits"],
)
def test_minutes_sum_to_the_lessons_and_the_clock_is_continuous(lessons):
    slots = schedule.plan_day(lessons)
    assert_minutes_add_up(lessons, slots)
    assert_every_lesson_keeps_one_in_class(lessons, slots)
    clocked = timed(slots)
    assert clocked[0].start_clock == "09:00"
    assert all(a.end == b.start for a, b in zip(clocked, clocked[1:], strict=False))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [1, 120, 300, 420, 10_000])
def test_every_lesson_keeps_a_hands_on_exercise_in_class_on_any_budget(seed, budget):
    lessons = synthetic_course(seed)
    slots = schedule.plan_day(lessons, budget=budget)
    assert_minutes_add_up(lessons, slots)
    assert_every_lesson_keeps_one_in_class(lessons, slots)
    home, left = schedule.homework_rule(lessons, budget)
    kept = sum(x.teaching + schedule.kept_in_class(x).minutes for x in lessons)
    assert left == max(0, kept - budget) if len(home) == sum(len(x.exercise_list) - 1 for x in lessons) else not left
    first, second = schedule.split_halves(lessons)
    for half in (first, second):
        assert_every_lesson_keeps_one_in_class(half, schedule.plan_day(half, budget=max(1, budget // 2)))


def test_the_kept_exercise_is_the_first_predict_or_edit_else_the_first():
    kept = schedule.kept_in_class
    assert kept(lesson(0, 30, ("apply", 3), ("edit", 12), ("predict", 5))).number == 2  # edit before apply
    assert kept(lesson(0, 30, ("practice", 2), ("predict", 6), ("edit", 4))).number == 2  # the first of them
    assert kept(lesson(0, 30, ("apply", 10), ("practice", 5))).number == 1  # no predict/edit: the first
    assert kept(lesson(0, 30)) is None and kept(fake((30, 20))[0]) is None


def test_overrun_rule_moves_exercises_from_the_last_lesson_backwards():
    lessons = [lesson(i, 60, ("predict", 5), ("apply", 10), ("edit", 15)) for i in range(3)]  # 270 min
    home, left = schedule.homework_rule(lessons, 240)
    assert {(w.lesson, w.number) for w in home} == {(2, 2), (2, 3), (1, 2)} and left == 0  # apply first
    slots = schedule.plan_day(lessons, budget=240)
    assert [(s.lesson, [w.number for w in s.work]) for s in slots if s.kind == "homework"] == [(1, [2]), (2, [2, 3])]
    assert [(s.lesson, [w.number for w in s.work]) for s in slots if s.kind == "exercises"] == [
        (0, [1, 2, 3]),
        (1, [1, 3]),
        (2, [1]),
    ]
    assert sum(s.minutes for s in slots if s.kind in ("teaching", "exercises")) <= 240
    text = schedule.to_markdown(lessons, day_budget=240)
    assert "content is 30 min over the budget" in text
    assert "35 min of exercises go home (3 exercise(s), of lesson(s) 01, 02); every lesson keeps one in class" in text
    assert (
        "| — | — | 25 | 02 · Lesson 2 | Ex 2: task 2 (apply, 10 min); Ex 3: task 3 (edit, 15 min) → **homework** |"
        in text
    )
    assert "| 14:20 | 14:25 | 5 | 02 · Lesson 2 | exercises: Ex 1 (predict, 5 min) |" in text
    assert "Exercises: 55 min in class, 35 min at home." in text


def test_overrun_of_the_teaching_and_the_kept_exercises_is_stated():
    lessons = [lesson(0, 200, ("predict", 10), ("apply", 20)), lesson(1, 200, ("edit", 15)), lesson(2, 100)]
    home, left = schedule.homework_rule(lessons, 420)
    assert {(w.lesson, w.number) for w in home} == {(0, 2)} and left == 105  # 500 teaching + 25 kept
    text = schedule.to_markdown(lessons)
    assert "Even the teaching and the exercises kept in class are 105 min over the budget" in text


def test_no_overrun_no_homework():
    lessons = [lesson(0, 45, ("predict", 5), ("apply", 10)), lesson(1, 50, ("edit", 30))]
    assert schedule.homework_rule(lessons, 420) == (frozenset(), 0)
    text = schedule.to_markdown(lessons)
    assert "Does not fit" not in text.split("## Two half days")[0] and "homework**" not in text
    assert "Exercises: 45 min in class, 0 min at home." in text and "Not itemised" not in text


def test_a_lesson_without_exercise_metadata_is_one_block_and_is_named():
    lessons = [lesson(0, 60, ("predict", 5), ("apply", 25)), *fake((0, 0), (60, 30), (60, 40))[1:]]
    broken = LessonInfo(3, "03 · Lesson 3", Path("03-x.ipynb"), 60, 30, (ExerciseInfo(1, "t", "predict", 20),))
    lessons.append(broken)  # its exercises add up to 20 min, the first cell says 30: not itemised
    assert [schedule.itemised(x) for x in lessons] == [True, False, False, False]
    twice = LessonInfo(4, "04 · Lesson 4", Path("04-x.ipynb"), 60, 10, (ExerciseInfo(1, "t", "predict", 5),) * 2)
    assert not schedule.itemised(twice) and schedule.work_of(twice) == (schedule.Work(4, None, "", "", 10),)
    assert schedule.work_of(broken) == (schedule.Work(3, None, "", "", 30),)
    home, _ = schedule.homework_rule(lessons, 300)  # 370 min: lesson 03's block, then 02's, go home whole
    assert {(w.lesson, w.number, w.minutes) for w in home} == {(3, None, 30), (2, None, 40)}
    text = schedule.to_markdown(lessons, day_budget=300)
    assert "**Not itemised yet:** lesson(s) 01, 02, 03" in text and "(1 of 4 lessons itemised)" in text
    assert "| — | — | 40 | 02 · Lesson 2 | exercises (not itemised, 40 min) → **homework** |" in text
    assert "70 min of exercises go home (2 not-itemised block(s), of lesson(s) 02, 03); every itemised" in text
    assert "| 11:45 | 12:15 | 30 | 01 · Lesson 1 | exercises (not itemised, 30 min) |" in text


def test_breaks_go_to_the_closest_lesson_boundary():
    slots = schedule.plan_day(fake(*[(45, 15)] * 7), budget=10_000)
    breaks = [s for s in slots if s.kind == "break"]
    # boundaries 10:00 / 11:00 are a tie for 10:30 (earlier wins); then 12:15 for lunch, 15:15 for 15:00
    assert [(b.label, b.start_clock, b.end_clock) for b in breaks] == [
        ("Mid-morning break", "10:00", "10:15"),
        ("Lunch", "12:15", "13:15"),
        ("Mid-afternoon break", "15:15", "15:30"),
    ]
    for i, s in enumerate(slots):
        if s.kind == "break":  # never inside a lesson: exercises end before, the next lesson's teaching follows
            assert slots[i - 1].kind == "exercises" and slots[i + 1].kind == "teaching"
            assert slots[i + 1].lesson == slots[i - 1].lesson + 1


def test_real_day_places_every_break_and_lists_every_lesson():
    lessons = course.lessons()
    text = schedule.to_markdown(lessons)
    for b in schedule.DAY_BREAKS:
        assert f"*{b.name}*" in text
    for x in lessons:
        assert x.title in text
    assert "the instructor's choices, not data" in text
    assert "Every lesson keeps at least one hands-on exercise in class" in text


def test_the_real_lessons_keep_an_exercise_in_class_in_every_schedule():
    """Read from the lessons' metadata: every itemised lesson keeps one in class in the day and both halves."""
    lessons = course.lessons()
    first, second = schedule.split_halves(lessons)
    plans = [(lessons, schedule.plan_day(lessons))]
    plans += [(h, schedule.plan_day(h, breaks=schedule.HALF_DAY_BREAKS, budget=210)) for h in (first, second)]
    for group, slots in plans:
        assert_minutes_add_up(group, slots)
        assert_every_lesson_keeps_one_in_class(group, slots)
    text = SCHEDULE.read_text(encoding="utf-8")
    stated = [(int(a), int(b)) for a, b in re.findall(r"Exercises: (\d+) min in class, (\d+) min at home\.", text)]
    assert [a + b for a, b in stated] == [sum(x.exercises for x in g) for g in (lessons, first, second)]
    for x in lessons:
        kept = schedule.kept_in_class(x)
        if kept is not None:  # the committed file names it, with its minutes, in the day and in its half day
            assert text.count(f"{x.title} | exercises: ") == 2 and kept.label() in text  # the day and its half


@pytest.mark.parametrize("seed", range(8))
def test_half_days_balanced_within_the_largest_lesson(seed):
    rng = random.Random(seed)  # synthetic lesson lengths
    lessons = fake(*[(rng.randint(10, 60), rng.randint(5, 40)) for _ in range(rng.randint(2, 10))])
    first, second = schedule.split_halves(lessons)
    assert first + second == lessons and first and second
    mins = [x.teaching + x.exercises for x in lessons]
    diff = abs(sum(mins[: len(first)]) - sum(mins[len(first) :]))
    assert diff <= max(mins)
    assert diff == min(abs(sum(mins[:k]) - sum(mins[k:])) for k in range(1, len(mins)))  # the best boundary


def test_half_days_of_the_real_course():
    first, second = schedule.split_halves(course.lessons())
    mins = [x.teaching + x.exercises for x in course.lessons()]
    assert abs(sum(x.minutes for x in first) - sum(x.minutes for x in second)) <= max(mins)
    assert schedule.split_halves(fake((30, 10))) == (fake((30, 10)), [])


@pytest.mark.parametrize("start", ["25:00", "9", "abc", "", "09:60", "-1:00", "nan:00", True, None])
def test_bad_start_times(start):
    with pytest.raises(ValueError, match="start"):
        schedule.plan_day(fake((45, 15)), start=start)


@pytest.mark.parametrize("budget", [0, -5, float("nan"), float("inf"), "abc", "", True, 2.5])
def test_bad_budgets(budget):
    with pytest.raises(ValueError, match="budget"):
        schedule.to_markdown(fake((45, 15), (30, 10)), day_budget=budget)


def test_check_passes_on_the_committed_schedule():
    proc = subprocess.run(
        [sys.executable, "-m", "tools.schedule", "--check", str(SCHEDULE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr + "\n-> run `make schedule` and commit the file"


def test_check_fails_on_a_modified_copy(tmp_path, capsys):
    copy = tmp_path / "schedule.md"
    copy.write_text(SCHEDULE.read_text(encoding="utf-8").replace("| 09:00 |", "| 09:05 |", 1), encoding="utf-8")
    assert schedule.main(["--check", str(copy)]) == 1
    assert "make schedule" in capsys.readouterr().err
    assert schedule.main(["--check", str(tmp_path / "missing.md")]) == 1


def test_generator_follows_whatever_lessons_exist(tmp_path, capsys):
    for number, t, e in [(0, 20, 15), (7, 40, 30), (9, 30, 60)]:  # e.g. 07 and 09 while 08 is being written
        cells = [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": f"# {number:02d} · T{number}\n\n**Time:** {t} min teaching · {e} min exercises\n",
            }
        ]
        if number == 7:  # only lesson 07 has exercise metadata (synthetic): read from the notebook
            for n, (kind, minutes) in enumerate([("apply", 8), ("predict", 10), ("edit", 12)], start=1):
                meta = {"exercise": {"kind": kind, "minutes": minutes, "id": f"ex{n}"}}
                cells.append({"cell_type": "markdown", "metadata": meta, "source": f"## Exercise {n}: step {n}\n"})
        (tmp_path / f"{number:02d}-t.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    out = tmp_path / "schedule.md"
    args = ["--lessons", str(tmp_path), "--day-minutes", "160"]  # half days of 80 min
    assert schedule.main([*args, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Lessons found: 3 (00–09)" in text and "07 · T7" in text and "195 min" in text
    assert "(1 of 3 lessons itemised)" in text and "**Not itemised yet:** lesson(s) 00, 09" in text
    assert "| 07 · T7 | exercises: Ex 1 (apply, 8 min), Ex 2 (predict, 10 min), Ex 3 (edit, 12 min) |" in text
    half = text.split("### Half day 1")[1].split("### Half day 2")[0]  # 00 and 07, 105 min for 80: 07 keeps one
    assert "07 · T7 | exercises: Ex 2 (predict, 10 min) |" in half
    assert "Ex 1: step 1 (apply, 8 min); Ex 3: step 3 (edit, 12 min) → **homework**" in half
    assert schedule.main([*args, "--check", str(out)]) == 0
    capsys.readouterr()


# -- setup check -----------------------------------------------------------------


def test_selfcheck_passes_here_quickly():
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "widgets.selfcheck"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("PASS  setup check")
    for item in ("python", "numpy", "data", "lessons", "plotly renders"):
        assert any(line.strip().startswith(f"PASS  {item}:") for line in lines), item
    for cap in ("KVM", "user namespaces", "cgroups"):
        assert any(line.strip().startswith(f"INFO  {cap}:") for line in lines), cap
    assert elapsed < 15, f"the one-minute check took {elapsed:.1f} s"


def test_selfcheck_quiet_is_one_line(capsys):
    assert selfcheck.main(["--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("PASS")


def test_too_old_package_fails_and_is_named(monkeypatch, capsys):
    monkeypatch.setitem(selfcheck.REQUIRED, "numpy", "999.0")
    assert selfcheck.main([]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(re.match(r"\s*FAIL\s+numpy: .*needs >= 999\.0", line) for line in lines)
    assert lines[-1].startswith("FAIL") and "numpy" in lines[-1]
    assert selfcheck.main(["--quiet"]) == 1
    assert "numpy" in capsys.readouterr().out


def test_broken_data_fails_and_missing_live_labs_are_only_info(monkeypatch, capsys):
    from widgets.core import data

    def broken() -> dict[str, int]:
        raise data.DataError("startup_times.csv: row 3 is not a number")

    missing = [Capability("KVM", False, "permission denied opening /dev/kvm", "add your user to the kvm group")]
    monkeypatch.setattr(selfcheck, "capabilities", lambda: missing)
    assert selfcheck.main(["--quiet"]) == 0  # no live lab is not a failure
    assert "KVM fallback" in capsys.readouterr().out
    monkeypatch.setattr(data, "validate_all", broken)
    assert selfcheck.main([]) == 1
    out = capsys.readouterr().out
    assert "FAIL  data: DataError: startup_times.csv: row 3" in out
    assert "INFO  KVM: fallback" in out and "kvm group" in out


# -- student build -----------------------------------------------------------------

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def split_solution(source: str) -> tuple[list[str], str]:
    """(stripped non-blank lines between the markers, the source outside them)."""
    inside, outside, on = [], [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            on = True
        elif line.strip() == END:
            on = False
        elif on:
            if line.strip():
                inside.append(line.strip())
        else:
            outside.append(line)
    return inside, "\n".join(outside)


def leaked_lines(original: nbformat.NotebookNode, student: nbformat.NotebookNode) -> tuple[set[str], list[str]]:
    """The solution lines found nowhere else in the original, and those of them the student version holds."""
    solution, elsewhere = [], []
    for cell in original.cells:
        inside, outside = split_solution(cell.source)
        solution += inside
        elsewhere.append(outside)
    other = "\n".join(elsewhere)
    unique = {line for line in solution if line not in other}
    raw = nbformat.writes(student)
    sources = "\n".join(c.source for c in student.cells)
    leaked = sorted(line for line in unique if line in sources or json.dumps(line, ensure_ascii=False)[1:-1] in raw)
    return unique, leaked


def test_leak_detector_detects_a_leak():
    cell = nbformat.v4.new_code_cell(f"{BEGIN}\nanswer = 42  # the secret\n{END}\ncheck(answer)")
    nb = nbformat.v4.new_notebook(cells=[cell])
    unique, leaked = leaked_lines(nb, nb)
    assert unique == {"answer = 42  # the secret"} and leaked == ["answer = 42  # the secret"]
    unique, leaked = leaked_lines(nb, strip_solutions(nb)[0])
    assert leaked == []


@pytest.mark.skipif(not LESSONS, reason="no lessons yet")
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_student_version_leaks_no_solution_and_keeps_every_check(lesson):
    original = nbformat.read(lesson, as_version=4)
    student, removed = strip_solutions(original)
    unique, leaked = leaked_lines(original, student)
    assert removed >= 1 and unique, f"{lesson.name}: no solution lines found to test"
    assert not leaked, f"{lesson.name}: solution lines in the student version: {leaked}"
    assert BEGIN not in nbformat.writes(student)
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{lesson.name}: outputs left"
    assert len(student.cells) == len(original.cells)
    for before, after in zip(original.cells, student.cells, strict=True):
        if BEGIN not in before.source:
            assert after.source == before.source, f"{lesson.name}: a cell without a solution changed"
            continue
        kept = before.source.split(END, 1)[1].lstrip(" \t\n")
        assert re.search(r"check\w*\(", kept), f"{lesson.name}: a solution cell has no check after its solution"
        assert after.source.endswith(kept), f"{lesson.name}: the check after a solution was not kept"
    checks = [
        c.source
        for c in original.cells
        if c.cell_type == "code" and BEGIN not in c.source and re.search(r"\bcheck\w*\(", c.source)
    ]
    assert checks and all(any(src == c.source for c in student.cells) for src in checks)
