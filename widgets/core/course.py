"""The course's own structure, read from the lessons themselves.

Each lesson's first cell states its title and time estimate ("NN min
teaching · NN min exercises"). :func:`lessons` reads them so the lesson
index, navigation and the workshop schedule are generated from the lessons
and cannot drift from them. :func:`lesson_paths` is the one place that says
which files are lessons (``NN-slug.ipynb``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

#: The lessons of a source checkout. An installed package has none: its lessons are wherever the
#: learner's copy is (a hub copies them to each home), which is the notebook's working directory.
LESSON_DIR = Path(__file__).resolve().parents[2] / "lessons"
LESSON_GLOB = "[0-9][0-9]-*.ipynb"
_TIME = re.compile(r"(\d+)\s*min(?:utes)?\s+teaching\D+(\d+)\s*min(?:utes)?\s+exercises", re.I)


#: The kinds of exercise (``metadata.exercise.kind`` of an exercise's "## Exercise N: ..." cell):
#: predict, then verify; change the code a lab runs; seeded practice (a new problem per seed); apply an idea.
EXERCISE_KINDS = ("predict", "edit", "practice", "apply")
_EXERCISE = re.compile(r"^## Exercise (\d+)\s*[:.]?\s*(.*)$", re.M)


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise: its number and title (from its heading), kind and time estimate (from its metadata)."""

    number: int
    title: str
    kind: str
    minutes: int
    id: str = ""


@dataclass(frozen=True)
class LessonInfo:
    """A lesson's number, title, file and time estimate (minutes), and its exercises.

    ``exercises`` is the time stated in the first cell; ``exercise_list`` holds each exercise's own estimate
    (their sum must equal ``exercises``: the anatomy test checks it).
    """

    number: int
    title: str
    path: Path
    teaching: int
    exercises: int
    exercise_list: tuple[ExerciseInfo, ...] = ()

    @property
    def minutes(self) -> int:
        """Teaching plus exercise minutes."""
        return self.teaching + self.exercises


def read_lesson(path: Path) -> LessonInfo:
    """Parse a lesson's title and time estimate from its first cell.

    Raises
    ------
    ValueError
        If the first cell has no '# ' title or no time estimate.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    first = nb["cells"][0]["source"]
    first = "".join(first) if isinstance(first, list) else first
    title = next((line[2:].strip() for line in first.splitlines() if line.startswith("# ")), None)
    if not title:
        raise ValueError(f"{Path(path).name}: the first cell has no '# ' title")
    m = _TIME.search(first)
    if not m:
        raise ValueError(f"{Path(path).name}: the first cell has no 'NN min teaching · NN min exercises'")
    number = int(Path(path).name[:2])
    return LessonInfo(number, title, Path(path), int(m.group(1)), int(m.group(2)), exercises_of(nb))


def exercises_of(nb: dict) -> tuple[ExerciseInfo, ...]:
    """The exercises of a notebook, from the markdown cells that start with "## Exercise N".

    A heading without ``metadata.exercise`` gives kind ``""`` and 0 minutes (the anatomy test refuses it).
    """
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        m = _EXERCISE.search(source)
        if not m or not source.lstrip().startswith("## Exercise"):
            continue
        meta = cell.get("metadata", {}).get("exercise", {})
        minutes = meta.get("minutes", 0)
        found.append(
            ExerciseInfo(
                int(m.group(1)),
                m.group(2).strip(),
                str(meta.get("kind", "")),
                minutes if isinstance(minutes, int) else 0,
                str(meta.get("id", "")),
            )
        )
    return tuple(found)


def lesson_dir() -> Path:
    """Where the lessons are: the checkout's ``lessons/``, else the working directory (an installed package)."""
    return LESSON_DIR if LESSON_DIR.is_dir() else Path.cwd()


def lesson_paths(directory: Path | None = None) -> list[Path]:
    """The lesson notebooks (``NN-slug.ipynb``) in ``directory`` (default :func:`lesson_dir`), in order."""
    return sorted(Path(directory or lesson_dir()).glob(LESSON_GLOB))


def lessons(directory: Path | None = None) -> list[LessonInfo]:
    """All lessons in order."""
    return [read_lesson(p) for p in lesson_paths(directory)]


def index_html(directory: Path | None = None) -> str:
    """The lesson list as an HTML table with links and times."""
    rows = "".join(
        f'<tr><td><a href="{html.escape(info.path.name)}">{html.escape(info.title)}</a></td>'
        f"<td>{info.teaching}</td><td>{info.exercises}</td></tr>"
        for info in lessons(directory)
    )
    return (
        '<table class="cvm-index"><thead><tr><th>lesson</th><th>teaching (min)</th>'
        f"<th>exercises (min)</th></tr></thead><tbody>{rows}</tbody></table>"
    )
