"""``make schedule``: the workshop schedule, generated from the lessons' own time estimates.

Every lesson's first cell says "NN min teaching · NN min exercises", and each
exercise's heading cell carries its kind and minutes in metadata
(:func:`widgets.core.course.read_lesson` reads both). This module turns them
into (a) one full day with breaks and (b) two half days, as Markdown, saying
which exercises are done in class and which go home. The committed
``instructor/schedule.md`` is this output; ``--check`` fails when it and the
lessons disagree, so the schedule cannot drift from the lessons.

Rules (all deterministic, and printed in the output):

- **One hands-on exercise per lesson stays in class**, whatever the budget:
  the first ``predict`` or ``edit`` exercise where the lesson has one, else
  its first exercise (later exercises often build on the first). Predicting
  and then running the lab is what a room with an instructor is for;
  reading and calculating can be done at home.
- **Homework**: when the content exceeds the budget, the other exercises go
  home, the *last* lesson's first, then those of the lesson before it, and
  so on, until the rest fits. Within a lesson, the exercises that are
  neither predict nor edit (reading, calculating, seeded practice) go home
  first, the last first; then the other hands-on ones. Later lessons'
  exercises draw on everything before them and work as take-home
  consolidation, while earlier lessons' exercises are what the following
  lessons build on in class. If the teaching and the kept exercises alone
  still exceed the budget, the day runs over and the output says by how much.
- A lesson whose exercises carry no metadata yet (kind and minutes) is one
  block of its stated exercise minutes: it moves home whole, and the output
  names it, because no in-class exercise can be chosen for it.
- **Breaks** go to the lesson boundary (between two lessons, never inside
  one) whose clock time is closest to the break's planned time, taking the
  breaks already placed into account; a tie goes to the earlier boundary.
  Breaks are placed in the order of their planned times, never before an
  earlier break's boundary.
- **Half days** split at the lesson boundary that makes the two halves'
  minutes closest (a tie goes to the earlier boundary); each half is then
  planned like a day with half the day's budget.

The start time, the budgets and the breaks are the instructor's choices,
not data: the defaults below are illustrative assumptions, set your own.

Usage: python -m tools.schedule [--out FILE | --check FILE] [--start 09:00] [--day-minutes 420]
       [--half-day-minutes 210] [--lessons DIR]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from widgets.core import validate
from widgets.core.course import EXERCISE_KINDS, ExerciseInfo
from widgets.core.course import lessons as course_lessons

#: The kinds an instructor most wants done in the room: predict, then verify; change the code the lab runs.
HANDS_ON = ("predict", "edit")


class Lesson(Protocol):
    """What the planner needs from a lesson (:class:`widgets.core.course.LessonInfo` has it)."""

    number: int
    title: str
    teaching: int
    exercises: int
    exercise_list: tuple[ExerciseInfo, ...]


@dataclass(frozen=True)
class Work:
    """A piece of a lesson's exercise time: one exercise, or (``number`` None) the lesson's whole stated
    exercise time when its exercises carry no metadata yet."""

    lesson: int
    number: int | None
    title: str
    kind: str
    minutes: int

    def label(self, title: bool = False) -> str:
        """How the schedule names it.

        E.g. "Ex 2 (predict, 4 min)"; with its title "Ex 2: title (predict, 4 min)"; a block (a lesson whose
        exercises carry no metadata yet): "exercises (not itemised, 30 min)".
        """
        if self.number is None:
            return f"exercises (not itemised, {self.minutes} min)"
        name = f"Ex {self.number}" + (f": {self.title}" if title and self.title else "")
        return f"{name} ({self.kind}, {self.minutes} min)"


def itemised(lesson: Lesson) -> bool:
    """True if the exercises are numbered 1..K, each has a known kind and minutes, and they add up to the first
    cell's estimate."""
    items = tuple(getattr(lesson, "exercise_list", ()) or ())
    return (
        bool(items)
        and [e.number for e in items] == list(range(1, len(items) + 1))
        and all(e.kind in EXERCISE_KINDS and isinstance(e.minutes, int) and e.minutes >= 1 for e in items)
        and sum(e.minutes for e in items) == lesson.exercises
    )


def work_of(lesson: Lesson) -> tuple[Work, ...]:
    """The lesson's exercise time as pieces: one per exercise, or one block if it is not :func:`itemised`."""
    if itemised(lesson):
        return tuple(Work(lesson.number, e.number, e.title, e.kind, e.minutes) for e in lesson.exercise_list)
    if lesson.exercises:
        return (Work(lesson.number, None, "", "", lesson.exercises),)
    return ()


def kept_in_class(lesson: Lesson) -> Work | None:
    """The exercise that stays in class: the first predict or edit one, else the first.

    None when the lesson has no exercises or they are not :func:`itemised`.
    """
    pieces = [w for w in work_of(lesson) if w.number is not None]
    if not pieces:
        return None
    return min(pieces, key=lambda w: (w.kind not in HANDS_ON, w.number))


@dataclass(frozen=True)
class Break:
    """A break the instructor plans: its name, planned clock time ("HH:MM") and length in minutes."""

    name: str
    planned: str
    minutes: int


@dataclass(frozen=True)
class Slot:
    """One row of a schedule.

    ``kind`` is "teaching", "exercises" (in class), "break" or "homework". ``start`` is minutes after
    midnight (None for homework, which has no clock time). ``work`` holds the exercises of an "exercises"
    or "homework" slot.
    """

    kind: str
    label: str
    minutes: int
    start: int | None
    lesson: int | None = None
    work: tuple[Work, ...] = ()

    @property
    def end(self) -> int | None:
        """Minutes after midnight when the slot ends (None for homework)."""
        return None if self.start is None else self.start + self.minutes

    @property
    def start_clock(self) -> str:
        """The start as "HH:MM" ("" for homework)."""
        return "" if self.start is None else clock(self.start)

    @property
    def end_clock(self) -> str:
        """The end as "HH:MM" ("" for homework)."""
        return "" if self.end is None else clock(self.end)


#: Illustrative assumptions (the instructor's choices, not data): set your own.
DEFAULT_START = "09:00"
DEFAULT_DAY_MINUTES = 7 * 60
DAY_BREAKS: tuple[Break, ...] = (
    Break("Mid-morning break", "10:30", 15),
    Break("Lunch", "12:30", 60),
    Break("Mid-afternoon break", "15:00", 15),
)
HALF_DAY_BREAKS: tuple[Break, ...] = (Break("Break", "10:45", 15),)


def clock(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (hours past 24 are kept: "25:10")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(name: str, text: str) -> int:
    """Parse "HH:MM" into minutes after midnight, or raise ValueError naming ``name``."""
    if not isinstance(text, str) or text.count(":") != 1:
        raise ValueError(f"{name} must be a clock time such as 09:00, got {text!r}")
    hours, mins = text.strip().split(":")
    h = validate.integer(f"{name} (hours)", hours, minimum=0, maximum=23)
    m = validate.integer(f"{name} (minutes)", mins, minimum=0, maximum=59)
    return h * 60 + m


def homework_rule(lessons: Sequence[Lesson], budget: int) -> tuple[frozenset[Work], int]:
    """Which exercises go home, and the overrun that remains.

    Each lesson keeps :func:`kept_in_class` in class. The other exercises go home from the last lesson
    backwards until the content fits ``budget`` minutes; within a lesson, those that are neither predict nor
    edit go first, the last first, then the other hands-on ones, the last first.

    Returns
    -------
    (the exercises that go home, minutes still over the budget)
    """
    budget = validate.integer("day budget (min)", budget, minimum=1)
    total = sum(lesson.teaching + lesson.exercises for lesson in lessons)
    moved: set[Work] = set()
    for lesson in reversed(lessons):
        kept = kept_in_class(lesson)
        for piece in sorted(work_of(lesson), key=lambda w: (w.kind in HANDS_ON, -(w.number or 0))):
            if total <= budget:
                break
            if piece != kept:
                moved.add(piece)
                total -= piece.minutes
    return frozenset(moved), max(0, total - budget)


def _place_breaks(lengths: Sequence[int], start: int, breaks: Sequence[Break]) -> list[list[Break]]:
    """For each boundary after lesson i (0..n-1), the breaks placed there."""
    placed: list[list[Break]] = [[] for _ in lengths]
    if not lengths:
        return placed
    candidates = list(range(len(lengths) - 1)) or [len(lengths) - 1]  # between lessons; one lesson: after it
    earliest = 0
    for brk in sorted(breaks, key=lambda b: parse_clock(f"{b.name} planned time", b.planned)):
        planned = parse_clock(f"{brk.name} planned time", brk.planned)

        def boundary_time(i: int) -> int:
            pause = sum(b.minutes for row in placed[: i + 1] for b in row)
            return start + sum(lengths[: i + 1]) + pause

        allowed = [i for i in candidates if i >= earliest]
        best = min(allowed, key=lambda i: (abs(boundary_time(i) - planned), i))
        placed[best].append(brk)
        earliest = best
    return placed


def plan_day(
    lessons: Sequence[Lesson],
    start: str = DEFAULT_START,
    breaks: Sequence[Break] = DAY_BREAKS,
    budget: int = DEFAULT_DAY_MINUTES,
) -> list[Slot]:
    """Plan a day: teaching and in-class exercise slots with clock times, breaks, then homework.

    Parameters
    ----------
    lessons:
        The lessons in order (``widgets.core.course.lessons()``).
    start:
        The day's start, "HH:MM".
    breaks:
        The planned breaks; each goes to the closest lesson boundary.
    budget:
        Minutes of content (teaching + exercises, breaks excluded) that fit
        the day; beyond it, exercises go home (:func:`homework_rule`).

    Returns
    -------
    list[Slot]
        The day in clock order, followed by one homework slot per lesson with exercises at home.
    """
    t = parse_clock("start", start)
    for brk in breaks:
        validate.integer(f"{brk.name} (min)", brk.minutes, minimum=1, maximum=240)
    home, _ = homework_rule(lessons, budget)
    in_class = [tuple(w for w in work_of(x) if w not in home) for x in lessons]
    lengths = [x.teaching + sum(w.minutes for w in work) for x, work in zip(lessons, in_class, strict=True)]
    placed = _place_breaks(lengths, t, breaks)
    slots: list[Slot] = []
    for lesson, work, after in zip(lessons, in_class, placed, strict=True):
        slots.append(Slot("teaching", lesson.title, lesson.teaching, t, lesson.number))
        t += lesson.teaching
        if work:
            minutes = sum(w.minutes for w in work)
            slots.append(Slot("exercises", lesson.title, minutes, t, lesson.number, work))
            t += minutes
        for brk in after:
            slots.append(Slot("break", brk.name, brk.minutes, t))
            t += brk.minutes
    for lesson in lessons:
        work = tuple(w for w in work_of(lesson) if w in home)
        if work:
            slots.append(Slot("homework", lesson.title, sum(w.minutes for w in work), None, lesson.number, work))
    return slots


def split_halves(lessons: Sequence[Lesson]) -> tuple[list[Lesson], list[Lesson]]:
    """Split at the lesson boundary that best balances the two halves' minutes.

    A tie goes to the earlier boundary. With fewer than two lessons the
    second half is empty. The difference is never more than the largest lesson.
    """
    items = list(lessons)
    if len(items) < 2:
        return items, []
    minutes = [x.teaching + x.exercises for x in items]
    total = sum(minutes)
    k = min(range(1, len(items)), key=lambda i: (abs(2 * sum(minutes[:i]) - total), i))
    return items[:k], items[k:]


def _duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def _numbers(lessons: Sequence[Lesson]) -> str:
    return f"{lessons[0].number:02d}–{lessons[-1].number:02d}" if lessons else "none"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _part(slot: Slot) -> str:
    if slot.kind == "exercises" and slot.work[0].number is None:
        return slot.work[0].label()
    if slot.kind == "exercises":
        return "exercises: " + ", ".join(w.label() for w in slot.work)
    if slot.kind == "homework":
        return "; ".join(_cell(w.label(title=True)) for w in slot.work) + " → **homework**"
    return slot.kind


def _day_markdown(lessons: Sequence[Lesson], slots: Sequence[Slot], budget: int, start: str) -> list[str]:
    total = sum(x.teaching + x.exercises for x in lessons)
    homework = [s for s in slots if s.kind == "homework"]
    timed = [s for s in slots if s.start is not None]
    pauses = sum(s.minutes for s in timed if s.kind == "break")
    planned_end = clock(parse_clock("start", start) + budget + pauses)
    actual_end = timed[-1].end_clock if timed else start
    in_class = sum(s.minutes for s in timed if s.kind == "exercises")
    at_home = sum(s.minutes for s in homework)
    out = [
        f"Content: {total} min ({_duration(total)}) for a budget of {budget} min ({_duration(budget)}); "
        f"ends at {actual_end} (breaks: {pauses} min). Exercises: {in_class} min in class, {at_home} min at home."
    ]
    if total > budget:
        names = ", ".join(f"{s.lesson:02d}" for s in homework)
        pieces = [w for s in homework for w in s.work]
        exercises = sum(w.number is not None for w in pieces)
        what = [f"{exercises} exercise(s)"] if exercises else []
        what += [f"{len(pieces) - exercises} not-itemised block(s)"] * (len(pieces) > exercises)
        every = "every" if all(itemised(x) or not x.exercises for x in lessons) else "every itemised"
        out.append(
            f"\n**Does not fit: the content is {total - budget} min over the budget.** By the homework rule, "
            f"{at_home} min of exercises go home ({' and '.join(what)}, of lesson(s) {names}); {every} lesson "
            "keeps one in class."
        )
        _, left = homework_rule(lessons, budget)
        if left:
            out.append(
                f"**Even the teaching and the exercises kept in class are {left} min over the budget:** the day "
                f"ends at {actual_end} instead of {planned_end}. Cut teaching (see instructor/notes.md) or use "
                "two days."
            )
    out += ["", "| start | end | min | lesson | part |", "|---|---|---:|---|---|"]
    for s in timed:
        label = f"*{s.label}*" if s.kind == "break" else s.label
        out.append(f"| {s.start_clock} | {s.end_clock} | {s.minutes} | {label} | {_part(s)} |")
    for s in homework:
        out.append(f"| — | — | {s.minutes} | {s.label} | {_part(s)} |")
    return out


def to_markdown(
    lessons: Sequence[Lesson],
    start: str = DEFAULT_START,
    day_budget: int = DEFAULT_DAY_MINUTES,
    half_budget: int | None = None,
) -> str:
    """The whole schedule (one full day, then two half days) as Markdown.

    Parameters
    ----------
    lessons:
        The lessons in order (``widgets.core.course.lessons()``).
    start:
        Start of the day and of each half day, "HH:MM".
    day_budget, half_budget:
        Minutes of content a full day and a half day hold (default for a
        half day: half the day's budget).
    """
    day_budget = validate.integer("day budget (min)", day_budget, minimum=1)
    half_budget = day_budget // 2 if half_budget is None else half_budget
    half_budget = validate.integer("half-day budget (min)", half_budget, minimum=1)
    teaching = sum(x.teaching for x in lessons)
    exercises = sum(x.exercises for x in lessons)
    breaks = "; ".join(f"{b.name.lower()} {b.minutes} min planned at {b.planned}" for b in DAY_BREAKS)
    half_breaks = "; ".join(f"{b.name.lower()} {b.minutes} min planned at {b.planned}" for b in HALF_DAY_BREAKS)
    blocks = [x for x in lessons if x.exercises and not itemised(x)]
    out = [
        "# Workshop schedule",
        "",
        "<!-- Generated by `python -m tools.schedule --out instructor/schedule.md` (make schedule) from the time "
        "estimates in each lesson's first cell and each exercise's metadata. Do not edit by hand: `python -m "
        "tools.schedule --check instructor/schedule.md` fails when this file and the lessons disagree. -->",
        "",
        f"Lessons found: {len(lessons)} ({_numbers(lessons)}); {teaching} min teaching + {exercises} min exercises "
        f"= {teaching + exercises} min ({_duration(teaching + exercises)}), read from each lesson's first cell; "
        f"each exercise's kind and minutes from its metadata ({len(lessons) - len(blocks)} of {len(lessons)} "
        "lessons itemised).",
        "",
        "**Assumptions (the instructor's choices, not data: set your own with `--start`, `--day-minutes` and "
        "`--half-day-minutes`):** "
        f"start {start}; a day holds {day_budget} min ({_duration(day_budget)}) of content; breaks: {breaks}. "
        f"A half day holds {half_budget} min ({_duration(half_budget)}) with one {half_breaks}.",
        "",
        "**Rules.** Every lesson keeps at least one hands-on exercise in class, whatever the budget: "
        f"the first {' or '.join(HANDS_ON)} exercise where it has one, else its first exercise (later exercises "
        "often build on the first); predicting and then running the lab is what a room with an instructor is "
        "for. When the "
        "content exceeds the budget, the other exercises go home, the last lesson's first (within a lesson, "
        f"those that are neither {' nor '.join(HANDS_ON)} first, the last first), until the rest fits: later "
        "lessons' exercises draw on everything before them and work as take-home consolidation, while earlier "
        "lessons' exercises are what the following lessons build on in class. If the teaching and the kept "
        "exercises still exceed the budget, the day runs over and says by how much. A break goes to the lesson "
        "boundary whose clock time is closest to its planned time (never inside a lesson; a tie goes to the "
        "earlier boundary). Half days split at the lesson boundary that makes the halves closest in minutes.",
    ]
    if blocks:
        out += [
            "",
            f"**Not itemised yet:** lesson(s) {', '.join(f'{x.number:02d}' for x in blocks)}: their exercises "
            "carry no kind and minutes in metadata (or these do not add up to the first cell's estimate), so each "
            "lesson's exercise time is one block that goes home whole, and no in-class exercise can be chosen "
            "for it.",
        ]
    out += ["", "## One full day", ""]
    out += _day_markdown(lessons, plan_day(lessons, start, DAY_BREAKS, day_budget), day_budget, start)
    out += ["", "## Two half days", ""]
    first, second = split_halves(lessons)
    if not second:
        out.append("Fewer than two lessons: there is nothing to split.")
    else:
        a, b = (sum(x.teaching + x.exercises for x in h) for h in (first, second))
        largest = max(x.teaching + x.exercises for x in lessons)
        out.append(
            f"Split after lesson {first[-1].number:02d}: {a} min + {b} min (difference {abs(a - b)} min; "
            f"the largest lesson is {largest} min)."
        )
        for n, half in enumerate((first, second), start=1):
            out += ["", f"### Half day {n}: lessons {_numbers(half)}", ""]
            out += _day_markdown(half, plan_day(half, start, HALF_DAY_BREAKS, half_budget), half_budget, start)
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print or write the schedule; with ``--check FILE`` exit 1 if FILE differs from the generated one."""
    parser = argparse.ArgumentParser(prog="python -m tools.schedule", description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--out", type=Path, help="write the schedule to this file")
    group.add_argument("--check", type=Path, help="exit 1 if this file differs from the generated schedule")
    parser.add_argument("--start", default=DEFAULT_START, help="start of the day, HH:MM (default %(default)s)")
    parser.add_argument(
        "--day-minutes",
        default=DEFAULT_DAY_MINUTES,
        type=int,
        help="minutes of content in a full day (default %(default)s)",
    )
    parser.add_argument(
        "--half-day-minutes", default=None, type=int, help="minutes of content in a half day (default: half the day's)"
    )
    parser.add_argument("--lessons", type=Path, default=None, help="the lessons folder (default: lessons/)")
    args = parser.parse_args(list(argv) if argv is not None else [])
    try:
        text = to_markdown(course_lessons(args.lessons), args.start, args.day_minutes, args.half_day_minutes)
    except ValueError as exc:
        print(f"schedule: {exc}", file=sys.stderr)
        return 2
    if args.check:
        have = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if have == text:
            print(f"{args.check}: up to date with the lessons")
            return 0
        diff = difflib.unified_diff(have.splitlines(), text.splitlines(), str(args.check), "generated", lineterm="")
        print("\n".join(list(diff)[:40]))
        print(
            f"{args.check} differs from the lessons' time estimates: run `make schedule` "
            f"(python -m tools.schedule --out {args.check})",
            file=sys.stderr,
        )
        return 1
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
