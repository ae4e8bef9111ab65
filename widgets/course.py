"""The course's own structure, read from the lessons themselves.

Each lesson's first cell states its title and time estimate ("NN min
teaching · NN min exercises"). :func:`lessons` reads them so the lesson
index, navigation and the workshop schedule are generated from the lessons
and cannot drift from them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
_TIME = re.compile(r"(\d+)\s*min(?:utes)?\s+teaching\D+(\d+)\s*min(?:utes)?\s+exercises", re.I)


@dataclass(frozen=True)
class LessonInfo:
    """A lesson's number, title, file and time estimate (minutes)."""

    number: int
    title: str
    path: Path
    teaching: int
    exercises: int

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
    return LessonInfo(number, title, Path(path), int(m.group(1)), int(m.group(2)))


def lessons(directory: Path | None = None) -> list[LessonInfo]:
    """All lessons in order."""
    d = directory or LESSON_DIR
    return [read_lesson(p) for p in sorted(d.glob("[0-9][0-9]-*.ipynb"))]


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
