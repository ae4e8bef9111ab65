"""``make html``: an offline static site of the whole course.

Renders the committed, executed lessons (``lessons/NN-*.ipynb``) with
nbconvert's ``lab`` template into one HTML page per lesson plus ``index.html``
(the course title and the lesson table with the time estimates that
:func:`widgets.core.course.lessons` reads from each lesson's first cell). Every page
has previous / index / next navigation. Every stored plotly figure becomes an
interactive figure drawn by ONE local copy of plotly.js
(``assets/plotly.min.js``, from the installed plotly package), with the
figure's text summary under it. Nothing is loaded from the network: the
template's require.js, MathJax, Mermaid and widget-manager scripts are not
emitted. Solution cells render inside a ``<details>`` "Show solution"; other
cells with hidden source show their code behind "Show code". Links between
lessons (``NN-name.ipynb``) become ``NN-name.html``. Same input, byte-identical
output.

Usage: python -m tools.site [--out build/site] [--lessons lessons]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from .nb import LESSONS, ROOT, clean
from .student import is_solution

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

    from widgets.core.course import LessonInfo

PLOTLY = "application/vnd.plotly.v1+json"
ASSET = "assets/plotly.min.js"
MARKER = ".cvm-site"  # marks a directory this builder owns (it may replace its pages)
DEFAULT_TITLE = "Containers vs. Virtual Machines"
STATIC_NOTE = (
    "A static copy of the course, built from the executed lessons. Figures are interactive "
    "(hover, zoom, pan); calculators, live labs and exercise checks need the notebooks: "
    "run <code>make lab</code> in the course folder."
)

# Colours meet WCAG 2.1 AA (4.5:1) on the page and the code background (#f5f5f5): the template's faded
# prompts and some of its syntax colours do not, so their variables are set on <body> (the template's own
# style sheets come later and set them on :root); links in text are underlined.
_CSS = """
.cvm-nav{display:flex;gap:1.5em;justify-content:space-between;align-items:baseline;flex-wrap:wrap;
  padding:0.6em 1em;margin:0 0 1em 0;border-bottom:1px solid #ccc;font-family:sans-serif;font-size:0.95em}
.cvm-nav.cvm-bottom{border-bottom:none;border-top:1px solid #ccc;margin:2em 0 0 0}
.cvm-nav .cvm-off{color:#595959}
.cvm-note{font-family:sans-serif;font-size:0.9em;color:#555;margin:0 1em 1em 1em}
body{--jp-cell-prompt-not-active-opacity:1;--jp-cell-prompt-not-active-font-color:#595959;
  --jp-mirror-editor-comment-color:#2e6565;--jp-mirror-editor-operator-color:#7a1fb8;
  --jp-mirror-editor-meta-color:#7a1fb8;--jp-mirror-editor-number-color:#006100}
body .jp-RenderedHTMLCommon a:link,body .jp-RenderedHTMLCommon a:visited,body .cvm-note a{text-decoration:underline}
details.cvm-solution,details.cvm-code{margin:0.3em 0 0.6em 0;padding:0.2em 0.6em;border-left:4px solid #ccc}
details.cvm-solution>summary,details.cvm-code>summary{cursor:pointer;font-family:sans-serif;font-weight:bold}
.cvm-figure{width:100%;min-height:120px}
.cvm-figure-summary{margin:0.2em 0 1em 0;font-size:0.95em}
table.cvm-site-index{border-collapse:collapse;margin:1em 0}
table.cvm-site-index td,table.cvm-site-index th{border:1px solid #ccc;padding:0.3em 0.8em;text-align:left}
table.cvm-site-index td.num,table.cvm-site-index th.num{text-align:right}
body.cvm-index-page{font-family:sans-serif;max-width:60em;margin:0 auto;padding:0 1em}
"""

# The lab template with everything that would load from the network removed,
# the site's navigation around the page and <details> around solutions.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script src="{{ resources.cvm_asset }}"></script>
{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.cvm_css }}</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.cvm_nav_top }}
<p class="cvm-note">{{ resources.cvm_note }}</p>
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.cvm_nav_bottom }}
{{ super() }}
{% endblock body_footer %}
{% block codecell %}
{%- if cell.metadata.get('cvm_solution') -%}
<details class="cvm-solution"><summary>Show solution</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock codecell %}
{% block input_group -%}
{%- if cell.metadata.get('cvm_hidden_code') -%}
<details class="cvm-code"><summary>Show code</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock input_group %}
{% block markdowncell %}
{%- if cell.metadata.get('cvm_solution') -%}
<details class="cvm-solution"><summary>Show solution</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock markdowncell %}
"""

_LESSON_LINK = re.compile(r'href="(?:\./)?(\d\d-[A-Za-z0-9_.-]+?)\.ipynb(#[^"]*)?"')
_README_LINK = re.compile(r'href="\.\./README\.md"')
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Page:
    """One page of the site: file name, title and number of interactive figures."""

    name: str
    title: str
    figures: int


@dataclass(frozen=True)
class SiteResult:
    """What :func:`build` wrote: the directory, its pages and its size in bytes."""

    out: Path
    pages: tuple[Page, ...]
    size_bytes: int

    @property
    def figures(self) -> int:
        """Interactive figures on all pages."""
        return sum(p.figures for p in self.pages)


def summarize(result: SiteResult) -> str:
    """One sentence: pages, figures and size of the built site."""
    return (
        f"Built {len(result.pages)} pages ({len(result.pages) - 1} lessons and the index) with "
        f"{result.figures} interactive figures into {result.out}: {result.size_bytes / 1e6:.1f} MB "
        f"including one local copy of plotly.js."
    )


def plotly_js() -> Path:
    """The plotly.min.js shipped inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall plotly (make install)")
    return path


def _script_json(obj: object) -> str:
    """JSON that is safe inside an HTML <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def figure_html(figure: dict, div_id: str, summary: str = "", described_by: str = "") -> str:
    """A div, a script drawing ``figure`` (plotly JSON) into it, and the summary under it.

    The div is a ``role="figure"`` named by the figure's title, whose accessible description is the summary
    (``aria-describedby``): the paragraph written here, or ``described_by``, the id of one already on the page.

    Parameters
    ----------
    figure : dict
        A stored plotly output: ``{"data": [...], "layout": {...}, "config": {...}}``.
    div_id : str
        The div's id, unique on its page.
    summary : str
        Plain text shown under the figure (escaped); empty for none.
    """
    script = (
        f"(function () {{ var fig = {_script_json(figure)};\n"
        f'Plotly.newPlot(document.getElementById("{div_id}"), fig.data || [], fig.layout || {{}},'
        f" Object.assign({{}}, fig.config || {{}}, {{responsive: true}})); }})();"
    )
    title = (figure.get("layout") or {}).get("title") or ""
    title = (title.get("text") if isinstance(title, dict) else title) or "a plot"
    described = f"{div_id}-summary" if summary else described_by
    aria = f' role="figure" aria-label="Figure: {html.escape(_plain(str(title)))}"'
    if described:
        aria += f' aria-describedby="{described}"'
    out = f'<div class="cvm-figure" id="{div_id}"{aria}></div>\n<script>{script}</script>'
    if summary:
        out += f'\n<p class="cvm-figure-summary" id="{div_id}-summary">{html.escape(summary)}</p>'
    return out


def _with_id(fragment: str, element_id: str) -> str:
    """The fragment with ``id`` on its first element (the summary paragraph a figure is described by)."""
    return re.sub(r"^(\s*<[A-Za-z][A-Za-z0-9]*)", rf'\1 id="{element_id}"', fragment, count=1)


def _plain(text: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def prepare(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``nb`` ready for the template, and its number of figures.

    Widget-view outputs are dropped; every plotly output becomes an HTML figure
    with its ``text/plain`` summary under it (unless the next output of the
    cell already shows the same text); solution cells and other cells with
    hidden source are marked for the template.
    """
    nb = clean(nb)
    count = 0
    for cell in nb.cells:
        hidden = bool(cell.metadata.get("jupyter", {}).get("source_hidden"))
        if is_solution(cell):
            cell.metadata["cvm_solution"] = True
        elif hidden and cell.cell_type == "code":
            cell.metadata["cvm_hidden_code"] = True
        outputs = cell.get("outputs", [])
        for i, out in enumerate(outputs):
            data = out.get("data", {})
            if PLOTLY not in data:
                continue
            count += 1
            summary = str(data.get("text/plain", "")).strip()
            nxt = outputs[i + 1].get("data", {}) if i + 1 < len(outputs) else {}
            div_id, described_by = f"cvm-fig-{count}", ""
            if summary and "text/html" in nxt and _plain(nxt["text/html"]) == _plain(summary):
                summary, described_by = "", f"cvm-fig-{count}-summary"
                nxt["text/html"] = _with_id(str(nxt["text/html"]), described_by)
            out["data"] = {"text/html": figure_html(dict(data[PLOTLY]), div_id, summary, described_by)}
            out["metadata"] = {}
    return nb, count


def rewrite_links(page: str, known: set[str]) -> str:
    """Point links to known lessons (``NN-name.ipynb``) at their pages, and the README at the index."""

    def lesson(m: re.Match[str]) -> str:
        stem, frag = m.group(1), m.group(2) or ""
        return f'href="{stem}.html{frag}"' if stem in known else m.group(0)

    return _README_LINK.sub('href="index.html"', _LESSON_LINK.sub(lesson, page))


def _nav(prev: tuple[str, str] | None, nxt: tuple[str, str] | None, where: str) -> str:
    def link(label: str, target: tuple[str, str] | None, rel: str) -> str:
        if target is None:
            return f'<span class="cvm-off">{label}: none</span>'
        return f'<a href="{html.escape(target[0])}" rel="{rel}">{label}: {html.escape(target[1])}</a>'

    return (
        f'<nav class="cvm-nav cvm-{where}" aria-label="lessons ({where} of the page)">{link("Previous", prev, "prev")}'
        f'<a href="index.html" rel="index">Course index</a>{link("Next", nxt, "next")}</nav>'
    )


def course_title(readme: Path | None = None) -> str:
    """The course title: the first '# ' heading of README.md."""
    path = readme or ROOT / "README.md"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return DEFAULT_TITLE
    return next((line[2:].strip() for line in lines if line.startswith("# ")), DEFAULT_TITLE)


def index_page(title: str, infos: list[LessonInfo], first: tuple[str, str] | None) -> str:
    """The site's index.html: title, lesson table with time estimates, navigation."""
    rows = "".join(
        f'<tr><td><a href="{html.escape(i.path.stem)}.html">'
        f'{html.escape(i.title)}</a></td><td class="num">{i.teaching}</td><td class="num">{i.exercises}</td>'
        f'<td class="num">{i.minutes}</td></tr>\n'
        for i in infos
    )
    total = (
        f'<tr><th>total</th><th class="num">{sum(i.teaching for i in infos)}</th>'
        f'<th class="num">{sum(i.exercises for i in infos)}</th>'
        f'<th class="num">{sum(i.minutes for i in infos)}</th></tr>'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<title>{html.escape(title)}</title>\n<style type="text/css">{_CSS}</style>\n</head>\n'
        f'<body class="cvm-index-page">\n{_nav(None, first, "top")}\n<main>\n<h1>{html.escape(title)}</h1>\n'
        f'<p class="cvm-note">{STATIC_NOTE}</p>\n'
        f'<table class="cvm-site-index"><thead><tr><th>lesson</th>'
        f'<th class="num">teaching (min)</th><th class="num">exercises (min)</th>'
        f'<th class="num">total (min)</th></tr></thead>\n<tbody>\n{rows}</tbody>\n<tfoot>{total}</tfoot>'
        f"</table>\n</main>\n{_nav(None, first, 'bottom')}\n</body>\n</html>\n"
    )


def _exporter() -> HTMLExporter:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"cvm_site.html.j2": _TEMPLATE})])
    exporter.template_file = "cvm_site.html.j2"
    # Belt and braces: the template emits none of these, and none may point to the network.
    for trait in (
        "require_js_url",
        "mathjax_url",
        "jquery_url",
        "jupyter_widgets_base_url",
        "mermaid_js_url",
        "mermaid_layout_elk_js_url",
        "widget_renderer_url",
    ):
        setattr(exporter, trait, "")
    exporter.theme = "light"
    return exporter


def _claim(out: Path) -> None:
    """Make ``out`` the site's directory, removing pages of an earlier build.

    Raises
    ------
    ValueError
        If ``out`` exists, is not empty and was not made by this builder.
    """
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"{out} is not empty and is not a site built by tools.site: choose a new directory")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html"):
        old.unlink()
    (out / MARKER).write_text("built by python -m tools.site; its pages are replaced on every build\n")


def build(out: Path, lesson_dir: Path | None = None) -> SiteResult:
    """Build the static site into ``out`` and return what was written.

    Parameters
    ----------
    out : Path
        Target directory: new, empty, or an earlier build (its pages are replaced).
    lesson_dir : Path, optional
        Where the executed lessons are (default: the course's ``lessons/``).
    """
    from widgets.core.course import lessons

    infos = lessons(lesson_dir or LESSONS)
    if not infos:
        raise ValueError(f"no lessons (NN-*.ipynb) found in {lesson_dir or LESSONS}")
    out = Path(out)
    _claim(out)
    (out / "assets").mkdir(exist_ok=True)
    shutil.copyfile(plotly_js(), out / ASSET)
    known = {i.path.stem for i in infos}
    targets = [(f"{i.path.stem}.html", i.title) for i in infos]
    exporter = _exporter()
    pages = [Page("index.html", course_title(), 0)]
    (out / "index.html").write_text(index_page(pages[0].title, infos, targets[0]), encoding="utf-8")
    for k, info in enumerate(infos):
        nb, figures = prepare(nbformat.read(info.path, as_version=4))
        prev = targets[k - 1] if k > 0 else None
        nxt = targets[k + 1] if k + 1 < len(targets) else None
        resources = {
            "metadata": {"name": info.title},
            "cvm_asset": ASSET,
            "cvm_css": _CSS,
            "cvm_note": STATIC_NOTE,
            "cvm_nav_top": _nav(prev, nxt, "top"),
            "cvm_nav_bottom": _nav(prev, nxt, "bottom"),
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        (out / targets[k][0]).write_text(rewrite_links(body, known), encoding="utf-8")
        pages.append(Page(targets[k][0], info.title, figures))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return SiteResult(out, tuple(pages), size)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the site and print one line per page and a summary."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.site", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=Path("build/site"), type=Path)
    parser.add_argument("--lessons", default=None, type=Path, help="directory of executed lessons")
    args = parser.parse_args(argv)
    try:
        result = build(args.out, args.lessons)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    for page in result.pages:
        print(f"{page.name:<40} {page.figures:3d} figure(s)  {page.title}")
    print(summarize(result))
    print(f"open {(result.out / 'index.html').resolve().as_uri()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
