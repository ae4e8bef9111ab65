"""``make student``: the student version of every lesson, solutions removed.

Follows nbgrader's convention: in a cell, everything between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` is replaced by a prompt, and
all outputs are cleared so learners start clean. The check after the marker
stays, so the student version still runs top to bottom (the check answers
"no answer yet").
Usage: python -m tools.student [--out build/student] [lesson ...]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

from .nb import lessons

SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)
PROMPT = "{indent}# Your solution here: write it in the exercise cell above, then run the check.\n"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """The one definition of a solution, for the student build and the site alike: a cell holding
    ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` (the anatomy test makes sure such cells, and only they,
    carry the ``solution`` tag and show collapsed)."""
    return bool(SOLUTION.search(cell.source))


def strip_solutions(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy without solutions and outputs, and how many were removed."""
    nb = nbformat.from_dict(nb)
    removed = 0
    for cell in nb.cells:
        new, n = SOLUTION.subn(lambda m: PROMPT.format(indent=m.group(1)), cell.source)
        if n:
            cell.source = new
            removed += n
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb, removed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="build/student", type=Path)
    parser.add_argument("lessons", nargs="*", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.lessons or lessons():
        nb, n = strip_solutions(nbformat.read(path, as_version=4))
        nbformat.write(nb, args.out / path.name)
        print(f"{path.name}: {n} solution(s) removed -> {args.out / path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
