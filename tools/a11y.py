"""``make a11y``: an accessibility audit of the course with Deque's axe-core, in headless Chromium.

axe-core (the engine behind most accessibility checkers; the copy bundled with the
``axe-playwright-python`` package, never one from the network) runs

* on every page of the static site (``make html``), read from ``file://``;
* on every lesson opened in real JupyterLab and run (Run All), calculators rendered. There the audit is
  scoped to the notebook's **content** (rendered Markdown and cell outputs: what the course writes);
  JupyterLab's own **chrome** (menus, toolbars, code editors, the file browser) is audited separately and
  listed apart: it is not the course's to fix.

The report (``build/a11y.md``, and the same as JSON in ``build/a11y.json``) lists per page each rule that
fails: its id, impact, how many nodes, and one example node. :func:`blocking` is what fails the build and
the tests: any ``serious`` or ``critical`` violation in the course's content.

Usage: python -m tools.a11y [--out build] [--lessons lessons] [--only 00,05]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
BLOCKING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

#: The notebook's content in JupyterLab: rendered Markdown cells and the output areas (cell outputs).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CONTENT = (f"{PANEL} .jp-MarkdownOutput", f"{PANEL} .jp-OutputArea-output")


#: Tables of the notebook's content.
CONTENT_TABLES = ", ".join(f"{c} table" for c in CONTENT)

#: Page-side: each element matching the selector (a figure) with its role, name and described-by text.
FIGURES_JS = """sel => [...document.querySelectorAll(sel)].map(e => {
    const id = e.getAttribute('aria-describedby'), d = id && document.getElementById(id);
    return {role: e.getAttribute('role'), label: e.getAttribute('aria-label') || '',
            description: d ? d.textContent.trim() : ''};
})"""

#: Page-side: the tables matching the selector whose first row has no header cell, or that have an empty header
#: cell (the start of each one's text).
BARE_TABLES_JS = """sel => [...document.querySelectorAll(sel)]
    .filter(t => !t.rows.length || !t.rows[0].querySelector('th')
                 || [...t.querySelectorAll('th')].some(th => !th.textContent.trim()))
    .map(t => t.innerText.slice(0, 80))"""


def figures(page: Page, selector: str) -> list[dict[str, str]]:
    """Each figure (``selector``) on the page: its role, accessible name and the text it is described by."""
    return page.evaluate(FIGURES_JS, selector)


def bare_tables(page: Page, selector: str = "table") -> list[str]:
    """Tables (``selector``) without a header row or with an empty header cell: the start of their text."""
    return page.evaluate(BARE_TABLES_JS, selector)


def axe_source() -> Path:
    """The axe-core script bundled with the installed ``axe-playwright-python`` package."""
    import axe_playwright_python

    path = Path(axe_playwright_python.__file__).resolve().parent / "axe.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall the test environment (make install)")
    return path


def axe_version(page: Page) -> str:
    inject(page)
    return page.evaluate("() => axe.version")


def inject(page: Page) -> None:
    """Put axe-core into the page once (a page that already has it is left alone)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source().read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Violation:
    """One failing axe rule on one page: how many nodes, and one of them as an example."""

    rule: str
    impact: str
    nodes: int
    help: str
    example: str  # the first node's CSS selector and the start of its HTML

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "impact": self.impact,
            "nodes": self.nodes,
            "help": self.help,
            "example": self.example,
        }


def run_axe(page: Page, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[Violation]:
    """Run axe-core on ``page`` (limited to ``include``, without ``exclude``: CSS selectors) and return its
    violations, worst first. An empty ``include`` means the whole document."""
    inject(page)
    context: dict[str, Any] = {}
    if include:
        context["include"] = [[s] for s in include]
    if exclude:
        context["exclude"] = [[s] for s in exclude]
    raw = page.evaluate(
        """async ctx => {
            const r = await axe.run(Object.keys(ctx).length ? ctx : document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact || 'minor', help: v.help,
                nodes: v.nodes.length,
                example: v.nodes.length ? v.nodes[0].target.join(' ') + '  ' + v.nodes[0].html.slice(0, 160) : ''}));
        }""",
        context,
    )
    found = [Violation(v["id"], v["impact"], v["nodes"], v["help"], v["example"]) for v in raw]
    return sorted(found, key=lambda v: (IMPACTS.index(v.impact) if v.impact in IMPACTS else 9, v.rule))


def audit_notebook(page: Page) -> dict[str, list[Violation]]:
    """axe on the open notebook: ``content`` (what the course wrote) and ``chrome`` (JupyterLab's own)."""
    return {"content": run_axe(page, include=CONTENT), "chrome": run_axe(page, exclude=CONTENT)}


def blocking(violations: list[Violation]) -> list[Violation]:
    """The violations that fail the audit: serious or critical."""
    return [v for v in violations if v.impact in BLOCKING]


def counts_by_rule(results: dict[str, list[Violation]]) -> dict[str, int]:
    """Nodes per rule over all pages of ``results`` (page -> violations)."""
    total: dict[str, int] = {}
    for violations in results.values():
        for v in violations:
            total[v.rule] = total.get(v.rule, 0) + v.nodes
    return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))


def _table(violations: list[Violation]) -> list[str]:
    if not violations:
        return ["No violations.", ""]
    rows = ["| rule | impact | nodes | example node |", "|---|---|---:|---|"]
    for v in violations:
        example = v.example.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{v.rule}` | {v.impact} | {v.nodes} | `{example}` |")
    return [*rows, ""]


def report(
    site: dict[str, list[Violation]],
    content: dict[str, list[Violation]],
    chrome: dict[str, list[Violation]],
    version: str,
) -> str:
    """The Markdown report: a summary, then per page each failing rule with an example node."""
    bad = sum(len(blocking(v)) for v in (*site.values(), *content.values()))
    lines = [
        "# Accessibility audit (axe-core)",
        "",
        f"axe-core {version}, headless Chromium. Serious or critical rules failing in the course's own content: "
        f"**{bad}**. JupyterLab's own chrome is listed apart (not the course's to fix).",
        "",
        "## Nodes per rule",
        "",
        "| where | rule | nodes |",
        "|---|---|---:|",
    ]
    for where, results in (("site", site), ("lessons (content)", content), ("JupyterLab chrome", chrome)):
        for rule, n in counts_by_rule(results).items():
            lines.append(f"| {where} | `{rule}` | {n} |")
    lines.append("")
    for title, results in (
        ("Static site", site),
        ("Lessons in JupyterLab: content", content),
        ("Lessons in JupyterLab: JupyterLab's chrome", chrome),
    ):
        lines += [f"## {title}", ""]
        for page, violations in results.items():
            lines += [f"### {page}", "", *_table(violations)]
    return "\n".join(lines)


def audit_site(browser, site_dir: Path) -> dict[str, list[Violation]]:
    """axe on every page of a built static site, opened from ``file://`` with the network cut."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_offline(True)
    page = context.new_page()
    results: dict[str, list[Violation]] = {}
    for path in sorted(site_dir.glob("*.html")):
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=30_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.cvm-figure')].every(d => d.querySelector('.main-svg'))",
            timeout=30_000,
        )
        results[path.name] = run_axe(page)
    context.close()
    return results


def main(argv: list[str] | None = None) -> int:
    """Build the site, audit it and every lesson in JupyterLab, write the report; 1 if anything blocks."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.a11y", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=ROOT / "build", type=Path)
    parser.add_argument("--lessons", default=ROOT / "lessons", type=Path)
    parser.add_argument("--only", default="", help="comma-separated lesson numbers (default: all)")
    args = parser.parse_args(argv)

    import nbformat
    from playwright.sync_api import sync_playwright

    from tools import site as sitebuilder
    from tools.browser import CHROMIUM_ARGS, LabServer, find_chromium, open_notebook, run_all, shown_code_cells
    from widgets.core.course import lesson_paths

    chromium = find_chromium()
    if chromium is None:
        parser.error("no system Chromium found (/usr/bin/chromium): install Debian's `chromium` package")
    started = time.monotonic()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    lessons = [p for p in lesson_paths(args.lessons) if not only or p.name[:2] in only]
    built = sitebuilder.build(args.out / "site", args.lessons)
    content: dict[str, list[Violation]] = {}
    chrome: dict[str, list[Violation]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        site = audit_site(browser, built.out)
        lab = LabServer(args.lessons)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            version = axe_version(page)
            for path in lessons:
                nb = nbformat.read(path, as_version=4)
                open_notebook(page, lab, path.name, len(nb.cells))
                run_all(page, shown_code_cells(nb))
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.cvm-calculator')]"
                    ".every(c => c.querySelector('.js-plotly-plot'))",
                    timeout=60_000,
                )
                found = audit_notebook(page)
                content[path.name], chrome[path.name] = found["content"], found["chrome"]
                print(
                    f"{path.name:<40} content: {sum(v.nodes for v in found['content']):4d} node(s) in "
                    f"{len(found['content'])} rule(s), {len(blocking(found['content']))} blocking; "
                    f"chrome: {sum(v.nodes for v in found['chrome'])} node(s)",
                    flush=True,
                )
        finally:
            lab.stop()
            browser.close()
    for name, violations in site.items():
        print(
            f"site {name:<35} {sum(v.nodes for v in violations):4d} node(s) in {len(violations)} rule(s), "
            f"{len(blocking(violations))} blocking"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "a11y.md").write_text(report(site, content, chrome, version) + "\n", encoding="utf-8")
    as_json = {
        k: {p: [v.as_dict() for v in vs] for p, vs in d.items()}
        for k, d in (("site", site), ("content", content), ("chrome", chrome))
    }
    (args.out / "a11y.json").write_text(json.dumps({"axe": version, **as_json}, indent=1) + "\n", encoding="utf-8")
    bad = sum(len(blocking(v)) for v in (*site.values(), *content.values()))
    print(
        f"wrote {args.out / 'a11y.md'}: {bad} serious or critical rule(s) failing in the course's content "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
