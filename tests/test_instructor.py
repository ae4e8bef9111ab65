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
from widgets.core.course import LessonInfo
from widgets.labs.base import Capability

SCHEDULE = ROOT / "instructor" / "schedule.md"


def fake(*minutes: tuple[int, int]) -> list[LessonInfo]:
    """Lessons 00, 01, ... with the given (teaching, exercises) minutes."""
    return [LessonInfo(i, f"{i:02d} · Lesson {i}", Path(f"{i:02d}-x.ipynb"), t, e) for i, (t, e) in enumerate(minutes)]


def timed(slots: list[schedule.Slot]) -> list[schedule.Slot]:
    return [s for s in slots if s.start is not None]


# -- schedule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lessons",
    [course.lessons(), fake((45, 15), (50, 30), (40, 20)), fake(*[(60, 40)] * 9)],
    ids=["real", "fits", "overruns"],
)
def test_minutes_sum_to_the_lessons_and_the_clock_is_continuous(lessons):
    slots = schedule.plan_day(lessons)
    content = [s for s in slots if s.kind != "break"]
    assert sum(s.minutes for s in content) == sum(x.teaching + x.exercises for x in lessons)
    for x in lessons:
        assert [s.minutes for s in content if s.lesson == x.number and s.kind == "teaching"] == [x.teaching]
        assert [s.minutes for s in content if s.lesson == x.number and s.kind in ("exercises", "homework")] == [
            x.exercises
        ]
    clocked = timed(slots)
    assert clocked[0].start_clock == "09:00"
    assert all(a.end == b.start for a, b in zip(clocked, clocked[1:], strict=False))


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


def test_overrun_rule_moves_exercises_from_the_last_lesson_backwards():
    lessons = fake((60, 30), (60, 30), (60, 30), (60, 30), (60, 30))  # 450 min for a 400 min budget
    homework, left = schedule.homework_rule(lessons, 400)
    assert homework == {4, 3} and left == 0
    slots = schedule.plan_day(lessons, budget=400)
    assert [s.lesson for s in slots if s.kind == "homework"] == [3, 4]
    assert sum(s.minutes for s in slots if s.kind in ("teaching", "exercises")) <= 400
    text = schedule.to_markdown(lessons, day_budget=400)
    assert "content is 50 min over the budget" in text and "lesson(s) 03, 04 (60 min) become homework" in text
    assert "exercises → **homework**" in text


def test_overrun_of_the_teaching_alone_is_stated():
    lessons = fake((200, 30), (200, 30), (100, 10))  # teaching alone 500 min
    homework, left = schedule.homework_rule(lessons, 420)
    assert homework == {0, 1, 2} and left == 80
    text = schedule.to_markdown(lessons)
    assert "Even the teaching alone is 80 min over the budget" in text


def test_no_overrun_no_homework():
    lessons = fake((45, 15), (50, 30))
    assert schedule.homework_rule(lessons, 420) == (frozenset(), 0)
    text = schedule.to_markdown(lessons)
    assert "Does not fit" not in text.split("## Two half days")[0] and "homework**" not in text


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
        cell = {
            "cell_type": "markdown",
            "metadata": {},
            "source": f"# {number:02d} · T{number}\n\n**Time:** {t} min teaching · {e} min exercises\n",
        }
        (tmp_path / f"{number:02d}-t.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    out = tmp_path / "schedule.md"
    assert schedule.main(["--lessons", str(tmp_path), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Lessons found: 3 (00–09)" in text and "07 · T7" in text and "195 min" in text
    assert schedule.main(["--lessons", str(tmp_path), "--check", str(out)]) == 0
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
