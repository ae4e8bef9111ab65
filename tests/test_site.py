"""``make html`` (tools/site.py): the offline static site of the course.

Fast tests check the built files: one figure per stored plotly output, no
remote resource, deterministic output, working links, solutions folded away.
The browser test opens every page from file:// in headless Chromium with the
network cut, waits until every figure has rendered, and runs axe-core on it
(no serious or critical violation; every figure described by its summary).
"""

from __future__ import annotations

import filecmp
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from tools import a11y, site
from tools.browser import CHROMIUM_ARGS, find_chromium
from tools.nb import WIDGET_VIEW
from widgets.core.course import lesson_paths

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lesson_paths(ROOT / "lessons")
CHROMIUM = find_chromium()
REQUIRED = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
NO_CHROMIUM = (
    "no system Chromium found (/usr/bin/chromium): install Debian's `chromium` package, "
    "or set COURSE_CHROMIUM; browser tests skipped"
)
REMOTE = [
    re.compile(r"""\bsrc(?:set)?\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""\bimport\s*\(\s*["'](?:https?:)?//""", re.I),
]


def plotly_outputs(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(site.PLOTLY in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def solution_cells(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum("solution" in c.metadata.get("tags", []) or "### BEGIN SOLUTION" in c.source for c in nb.cells)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> site.SiteResult:
    return site.build(tmp_path_factory.mktemp("site") / "site")


def pages(result: site.SiteResult) -> dict[str, str]:
    return {p.name: (result.out / p.name).read_text(encoding="utf-8") for p in result.pages}


# -- fast tests on the built files --------------------------------------------------------


def test_one_page_per_lesson_plus_index(built):
    names = [p.name for p in built.pages]
    assert names == ["index.html"] + [f"{p.stem}.html" for p in LESSONS]
    assert sorted(f.name for f in built.out.glob("*.html")) == sorted(names)
    assert site.summarize(built).startswith(f"Built {len(LESSONS) + 1} pages")


def test_figure_count_per_page_equals_plotly_outputs(built):
    by_name = {p.name: p for p in built.pages}
    for lesson in LESSONS:
        expected = plotly_outputs(lesson)
        assert expected > 0, f"{lesson.name} has no stored plotly figure: was it executed?"
        page = by_name[f"{lesson.stem}.html"]
        text = (built.out / page.name).read_text(encoding="utf-8")
        assert page.figures == expected, lesson.name
        assert text.count("Plotly.newPlot(") == expected, lesson.name
        divs = re.findall(r"<div ([^>]*)>", text)
        figures = [dict(re.findall(r'([a-z-]+)="([^"]*)"', d)) for d in divs if 'class="cvm-figure"' in d]
        assert len(figures) == expected, lesson.name
        # Each figure is a named figure whose accessible description is one summary on the same page.
        for fig in figures:
            assert fig["role"] == "figure" and fig["aria-label"].startswith("Figure: "), (lesson.name, fig)
            assert text.count(f'id="{fig["aria-describedby"]}"') == 1, (lesson.name, fig)
    assert built.figures == sum(plotly_outputs(p) for p in LESSONS)


def test_no_page_references_a_remote_resource(built):
    for name, text in pages(built).items():
        for pattern in REMOTE:
            hits = pattern.findall(text)
            assert not hits, f"{name} loads from the network: {hits[:3]}"
        scripts = re.findall(r"<script\b[^>]*\bsrc\s*=\s*\"([^\"]*)\"", text)
        assert scripts == ([] if name == "index.html" else [site.ASSET]), (name, scripts)
        assert not re.search(r"<link\b", text), f"{name} links an external stylesheet"
    assert (built.out / site.ASSET).read_bytes() == site.plotly_js().read_bytes()


def test_output_is_deterministic(built, tmp_path):
    again = site.build(tmp_path / "again")
    assert [p.name for p in again.pages] == [p.name for p in built.pages]
    files = sorted(str(p.relative_to(built.out)) for p in built.out.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(again.out)) for p in again.out.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(built.out, again.out, files, shallow=False)
    assert (mismatch, errors) == ([], []) and len(match) == len(files)
    # Rebuilding into an earlier build replaces it with the same bytes.
    stale = again.out / "99-removed-lesson.html"
    stale.write_text("old page")
    site.build(again.out)
    assert not stale.exists()
    assert filecmp.cmpfiles(built.out, again.out, files, shallow=False)[0] == files


def test_index_lists_every_lesson_with_its_times(built):
    from widgets.core.course import lessons

    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{site.course_title()}</h1>" in index
    for info in lessons():
        row = re.search(
            rf'<tr><td><a href="{info.path.stem}\.html">'
            rf'([^<]*)</a></td><td class="num">(\d+)</td><td class="num">(\d+)</td>',
            index,
        )
        assert row, f"{info.path.name} is missing from the index"
        assert row.group(1) == info.title.replace("&", "&amp;")
        assert (int(row.group(2)), int(row.group(3))) == (info.teaching, info.exercises)


def test_every_local_link_resolves_and_navigation_is_ordered(built):
    names = [p.name for p in built.pages]
    for name, text in pages(built).items():
        for href in re.findall(r'href="([^"]*)"', text):
            if href.startswith(("#", "http://", "https://", "mailto:")):
                continue
            target = href.split("#")[0]
            assert (built.out / target).is_file(), f"{name}: link to missing {href}"
        navs = re.findall(r'<nav [^>]*class="cvm-nav cvm-(top|bottom)"[^>]*>(.*?)</nav>', text, re.S)
        assert [n[0] for n in navs] == ["top", "bottom"], name
        for _, nav in navs:
            assert 'href="index.html"' in nav
            lessons = names[1:]
            k = lessons.index(name) if name in lessons else -1
            # nbconvert may reorder attributes: read rel and href from each <a> separately
            rel = {
                re.search(r'rel="([^"]*)"', a).group(1): re.search(r'href="([^"]*)"', a).group(1)
                for a in re.findall(r"<a\b([^>]*)>", nav)
            }
            assert rel.get("prev") == (lessons[k - 1] if k > 0 else None), name
            assert rel.get("next") == (lessons[k + 1] if k + 1 < len(lessons) else None), name
            assert rel["index"] == "index.html", name
        assert not re.search(r'href="[^"]*\.ipynb', text), f"{name} still links a notebook"


def test_solutions_render_inside_details(built):
    for lesson in LESSONS:
        text = (built.out / f"{lesson.stem}.html").read_text(encoding="utf-8")
        spans = [
            (m.start(), text.index("</details>", m.start()))
            for m in re.finditer(r'<details class="cvm-solution"><summary>Show solution</summary>', text)
        ]
        assert len(spans) == solution_cells(lesson) > 0, lesson.name
        marks = [m.start() for m in re.finditer("BEGIN SOLUTION", text)]
        assert len(marks) >= len(spans), lesson.name
        assert all(any(a < m < b for a, b in spans) for m in marks), f"{lesson.name}: a solution is not folded"


# -- the builder's pieces, on synthetic input ------------------------------------------------


def _synthetic() -> nbformat.NotebookNode:
    fig = {
        "data": [{"type": "bar", "x": ["a"], "y": [1]}],
        "layout": {"title": {"text": "</script><b>x"}},
        "config": {"displaylogo": False},
    }
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "calc",
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    data={
                        WIDGET_VIEW: {"model_id": "m"},
                        site.PLOTLY: fig,
                        "text/plain": "Interactive calculator: a summary & more",
                    },
                    execution_count=1,
                )
            ],
        ),
        nbformat.v4.new_code_cell(
            "slider", outputs=[nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {"model_id": "n"}})]
        ),
        nbformat.v4.new_code_cell(
            "show",
            outputs=[
                nbformat.v4.new_output("display_data", data={site.PLOTLY: fig, "text/plain": "Figure: T. caption"}),
                nbformat.v4.new_output(
                    "display_data", data={"text/html": "<p><b>Figure: T.</b> caption</p>", "text/plain": "caption"}
                ),
            ],
        ),
    ]
    return nb


def test_prepare_drops_widget_views_and_converts_figures():
    nb, count = site.prepare(_synthetic())
    assert count == 2
    assert nb.cells[1].outputs == []
    first = nb.cells[0].outputs[0].data
    assert list(first) == ["text/html"]
    html = first["text/html"]
    assert html.count("</script>") == 1, "a figure's text must not close its <script>"
    assert 'aria-describedby="cvm-fig-1-summary"' in html and 'aria-label="Figure: x"' in html
    assert (
        '<p class="cvm-figure-summary" id="cvm-fig-1-summary">Interactive calculator: a summary &amp; more</p>' in html
    )
    payload = re.search(r"var fig = (\{.*?\});\n", html).group(1)
    assert json.loads(payload)["layout"]["title"]["text"] == "</script><b>x"
    assert "{responsive: true}" in html and 'getElementById("cvm-fig-1")' in html
    shown = nb.cells[2].outputs[0].data["text/html"]
    assert "cvm-figure-summary" not in shown, "the summary repeated by the next output is shown once"
    # ... and that output's paragraph is then the figure's description.
    assert 'aria-describedby="cvm-fig-2-summary"' in shown
    assert nb.cells[2].outputs[1].data["text/html"].startswith('<p id="cvm-fig-2-summary"><b>Figure: T.</b>')


def test_build_refuses_a_directory_it_did_not_make(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(ValueError, match="not a site built by tools.site"):
        site.build(tmp_path)
    assert keep.read_text() == "mine" and sorted(tmp_path.iterdir()) == [keep]


# -- the browser: every page offline, every figure drawn ---------------------------------------


@pytest.fixture(scope="module")
def offline_context():
    if CHROMIUM is None:
        if REQUIRED:
            pytest.fail("COURSE_REQUIRE_BROWSER=1 but no Chromium was found")
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            context.set_offline(True)
            attempted: list[str] = []

            def guard(route) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    route.continue_()
                else:
                    attempted.append(url)
                    route.abort()

            context.route("**/*", guard)
            context.attempted = attempted
            yield context
            context.close()
        finally:
            browser.close()


@pytest.mark.browser
def test_every_page_renders_offline(built, offline_context):
    expected = {"index.html": 0} | {f"{p.stem}.html": plotly_outputs(p) for p in LESSONS}
    audit: dict[str, list] = {}
    page = offline_context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    for p in built.pages:
        url = (built.out / p.name).resolve().as_uri()
        page.goto(url, wait_until="load", timeout=30_000)
        page.wait_for_function(
            """n => document.querySelectorAll('.js-plotly-plot').length === n
                    && [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))""",
            arg=expected[p.name],
            timeout=30_000,
        )
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".filter(d => d.querySelector('.main-svg') && d.data && d.data.length).length"
        )
        assert drawn == expected[p.name], p.name
        links = page.evaluate("() => [...document.querySelectorAll('nav.cvm-nav a')].map(a => a.href)")
        assert links and all(link.startswith("file://") for link in links), (p.name, links)
        for link in links:
            target = Path(unquote(urlparse(link).path))
            assert target.is_file(), f"{p.name}: navigation link to missing {link}"
        if p.name == "index.html":
            listed = page.evaluate(
                "() => [...document.querySelectorAll('table.cvm-site-index a')].map(a => a.textContent)"
            )
            assert listed == [q.title for q in built.pages[1:]]
        assert errors == [], f"{p.name}: {errors}"
        # Accessibility: every figure is a named figure described by its summary, and axe-core finds no serious
        # or critical violation on the page (the site is the course's own content, all of it).
        described = a11y.figures(page, ".cvm-figure")
        assert all(
            f["role"] == "figure" and f["label"].startswith("Figure: ") and len(f["description"]) > 20
            for f in described
        ), (p.name, described)
        bare = a11y.bare_tables(page)
        assert not bare, f"{p.name}: tables without a header row, or with an empty header: {bare}"
        violations = a11y.run_axe(page)
        audit[p.name] = [v.as_dict() for v in violations]
        assert not a11y.blocking(violations), (p.name, [v.as_dict() for v in a11y.blocking(violations)])
    assert offline_context.attempted == [], f"network requests were attempted: {offline_context.attempted}"
    page.close()
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "a11y-site.json").write_text(json.dumps(audit, indent=1) + "\n")
