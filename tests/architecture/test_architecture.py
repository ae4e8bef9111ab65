"""The package's floors, checked: imports point down only, no module reaches into another's private
names, no import cycle, small modules, and child programs that stand alone.

The floors are ``widgets.core`` < ``models`` < ``labs`` < ``ui`` < ``learning`` < the entry points
(``selfcheck``, ``labserver``). import-linter checks the contracts in pyproject.toml; the rest is read
here from the source with ``ast``, so a function-level import counts as much as one at the top.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import widgets
from tests.conftest import ROOT

PACKAGE = ROOT / "widgets"
MAX_LINES = 400
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
CHILDREN = PACKAGE / "labs" / "children"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import in ``path``, relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, [a.name for a in node.names], node.lineno))
    return out


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("import-linter is not installed: run make test (it installs requirements.lock)")
    proc = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "2 kept, 0 broken" in proc.stdout


def test_no_module_imports_another_modules_private_names():
    found = []
    for path in MODULES:
        for target, names, line in imports_of(path):
            if target.startswith("widgets"):
                found += [
                    f"{path.relative_to(ROOT)}:{line} imports {target}.{n}"
                    for n in names
                    if n.startswith("_") and not n.startswith("__")
                ]
    assert found == []


def _graph() -> dict[str, set[str]]:
    mods = {module_name(p) for p in MODULES}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for path in MODULES:
        me = module_name(path)
        for target, names, _ in imports_of(path):
            if target in mods and target != me:
                graph[me].add(target)
            for n in names:  # "from . import x" imports the module x
                if f"{target}.{n}" in mods:
                    graph[me].add(f"{target}.{n}")
    for m in graph:  # a module's package is imported before it: that is not an edge of the code
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    return graph


def test_there_is_no_import_cycle():
    graph, cycles, state = _graph(), [], {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = "open"
        for t in sorted(graph[m]):
            if state.get(t) == "open":
                cycles.append(" -> ".join(stack[stack.index(t) :] + [t]))
            elif t not in state:
                visit(t, [*stack, t])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_modules_are_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_modules_are_formatted_not_squeezed():
    """ruff's formatter at the project's line length: no module stays under the limit with dense lines."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "widgets"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", sorted(CHILDREN.glob("*.py")), ids=lambda p: p.name)
def test_child_programs_stand_alone(path):
    """A lab's child runs in a fresh interpreter: standard library only, nothing from the course."""
    for target, _, line in imports_of(path):
        top = target.split(".")[0]
        assert top in sys.stdlib_module_names, f"{path.name}:{line} imports {target}"


def test_every_public_name_resolves_and_import_widgets_is_cheap():
    for name in widgets.__all__:
        assert getattr(widgets, name) is not None
    code = (
        "import sys, widgets; heavy = [m for m in ('ipywidgets', 'plotly', 'numpy') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    assert out == "[]", f"import widgets loaded {out}: it must import each name on first use"


@pytest.mark.parametrize(
    "module",
    [
        "widgets.ui.costs",
        "widgets.ui.nslab",
        "widgets.learning.kernelcheck",
        "widgets.learning.trapsim",
        "widgets.labs.kvm",
        "widgets.models.loadsim",
    ],
)
def test_topic_modules_export_what_they_list(module):
    """A lesson imports one module per topic; every name in its __all__ is there."""
    mod = importlib.import_module(module)
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert missing == []
