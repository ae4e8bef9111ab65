"""The data sources and their own terms in LICENSE.md, generated from ``data/datapackage.json``.

LICENSE.md holds the section between the two markers below; this module writes it (``--write``) or checks that it
is what datapackage.json says today (the default, which the git hook and tests/test_maintenance.py run), so the
list cannot drift from the data.

Usage: python -m tools.attribution [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSE = ROOT / "LICENSE.md"
PACKAGE = ROOT / "data" / "datapackage.json"
BEGIN = "<!-- BEGIN SOURCES: generated from data/datapackage.json by `python -m tools.attribution --write` -->"
END = "<!-- END SOURCES -->"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render(package: dict) -> str:
    """The section: the compilation's licence, then one row per source with its terms and the files using it."""
    used: dict[str, list[str]] = {}
    for res in package["resources"]:
        for src in res["sources"]:
            used.setdefault(src["id"], []).append(res["path"])
    licences = ", ".join(f"[{lic['name']}]({lic['path']})" for lic in package.get("licenses", []))
    lines = [
        BEGIN,
        "",
        f"The compilation in `data/` ({package['title']}, version {package['version']}) is licensed {licences}.",
        f"Its {len(package['sources'])} sources keep their own terms. Each row of a data file names its source; the",
        'table gives each source\'s terms as recorded in `datapackage.json` (`licence`: "not checked" means nobody',
        "has checked them yet; check before you reuse more than the cited figures).",
        "",
        "| source | title | authors | terms | used in |",
        "|---|---|---|---|---|",
    ]
    for src in package["sources"]:
        title = _cell(src.get("title", ""))
        if src.get("path"):
            title = f"[{title}]({src['path']})"
        files = ", ".join(f"`{p}`" for p in used.get(src["id"], [])) or "(no file yet)"
        lines.append(
            f"| `{src['id']}` | {title} | {_cell(src.get('authors', ''))} | "
            f"{_cell(src.get('licence', 'not recorded'))} | {files} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def expected(text: str, package: dict) -> str:
    """``text`` (LICENSE.md) with its generated section replaced by what ``package`` says."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"LICENSE.md lacks the markers {BEGIN!r} and {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + render(package) + tail


def check(license_path: Path = LICENSE, package_path: Path = PACKAGE) -> list[str]:
    """Problems (with the fix) if LICENSE.md's list of sources differs from datapackage.json."""
    package = json.loads(package_path.read_text(encoding="utf-8"))
    text = license_path.read_text(encoding="utf-8")
    try:
        if expected(text, package) == text:
            return []
    except ValueError as exc:
        return [f"{license_path.name}: {exc}"]
    return [
        f"{license_path.name}: its list of data sources differs from data/datapackage.json. "
        "Run `.venv/bin/python -m tools.attribution --write` and commit LICENSE.md"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.attribution", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite LICENSE.md's list of sources")
    args = parser.parse_args(argv)
    if args.write:
        package = json.loads(PACKAGE.read_text(encoding="utf-8"))
        LICENSE.write_text(expected(LICENSE.read_text(encoding="utf-8"), package), encoding="utf-8")
        return 0
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
