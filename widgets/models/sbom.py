"""A software bill of materials (SBOM) in the CycloneDX format, read for the scanner (lesson 06).

The course does not write its own inventory format: the maintained tool ``cyclonedx-bom`` (command
``cyclonedx-py environment``) exports the Python environment as a CycloneDX JSON document, and
:func:`read_sbom` turns that document into what the scanner checks, package name -> version, from each
component's package URL (``pkg:pypi/<name>@<version>``). Only Python packages are read: a CycloneDX file made
by an image scanner also lists the operating system's packages (``pkg:deb/…``, ``pkg:apk/…``), which the
course's advisory snapshot does not cover; :class:`Sbom` counts them so that a summary can say so.

CycloneDX: the OWASP CycloneDX specification (cyclonedx.org/specification), ECMA-424; package URLs: the purl
specification (github.com/package-url/purl-spec).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .envcheck import normalize

#: Spec versions the reader accepts (the JSON format exists since 1.2).
SPEC_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
MAX_COMPONENTS = 100_000
_PURL = re.compile(r"^pkg:(?P<type>[a-zA-Z][a-zA-Z0-9.+-]*)/(?P<rest>[^?#]+)")


@dataclass(frozen=True)
class Sbom:
    """What a CycloneDX document says: its spec version, the tool that made it, the packages it lists."""

    spec_version: str
    tools: tuple[str, ...]  # "name version" of each tool named in metadata.tools
    subject: str  # metadata.component: what the SBOM describes ("" if not given)
    timestamp: str  # "" when the tool made it reproducible (no timestamp)
    packages: Mapping[str, str]  # Python packages: normalised name -> version
    other_types: Mapping[str, int] = field(default_factory=dict)  # purl type -> components (deb, apk, npm…)
    without_purl: int = 0  # components with no package URL (cannot be matched to advisories)

    @property
    def components(self) -> int:
        """Components the document lists (all types)."""
        return len(self.packages) + sum(self.other_types.values()) + self.without_purl

    def words(self) -> str:
        """One sentence: what the SBOM is and what of it the scanner can check."""
        tool = ", ".join(self.tools) or "an unnamed tool"
        what = f" of {self.subject}" if self.subject else ""
        others = ", ".join(f"{n} {t}" for t, n in sorted(self.other_types.items()))
        rest = f"; also {others} package(s) the Python advisories do not cover" if others else ""
        none = f"; {self.without_purl} component(s) without a package URL" if self.without_purl else ""
        return (
            f"A CycloneDX {self.spec_version} SBOM{what}, made by {tool}: {self.components} components, "
            f"{len(self.packages)} of them Python packages the scanner checks{rest}{none}."
        )


def _tools(meta: Mapping[str, Any]) -> tuple[str, ...]:
    tools = meta.get("tools", [])
    if isinstance(tools, Mapping):  # CycloneDX 1.5+: {"components": [...], "services": [...]}
        tools = list(tools.get("components", [])) + list(tools.get("services", []))
    out = []
    for t in tools if isinstance(tools, list) else []:
        if isinstance(t, Mapping) and t.get("name"):
            out.append(f"{t['name']} {t.get('version', '')}".strip())
    return tuple(out)


def parse_purl(purl: str) -> tuple[str, str, str]:
    """``(type, name, version)`` of a package URL (``pkg:pypi/jinja2@3.1.6`` -> pypi, jinja2, 3.1.6)."""
    m = _PURL.match(purl.strip()) if isinstance(purl, str) else None
    if not m:
        raise ValueError(f"not a package URL: {purl!r} (expected pkg:<type>/<name>@<version>)")
    rest = m["rest"]
    name, _, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    return m["type"].lower(), unquote(name.rsplit("/", 1)[-1]), unquote(version)


def read_sbom(document: str | bytes | Mapping[str, Any]) -> Sbom:
    """Read a CycloneDX JSON document (text, bytes or the parsed object).

    Raises
    ------
    ValueError
        If the text is not JSON, not a CycloneDX document (``bomFormat``), of a spec version the reader does not
        know, or its components are not a list; the message says which.
    """
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"the SBOM is not valid JSON: {exc}") from None
    if not isinstance(document, Mapping):
        raise ValueError(f"the SBOM must be a JSON object, not {type(document).__name__}")
    if document.get("bomFormat") != "CycloneDX":
        raise ValueError(f"not a CycloneDX document: bomFormat is {document.get('bomFormat')!r}, not 'CycloneDX'")
    spec = str(document.get("specVersion", ""))
    if spec not in SPEC_VERSIONS:
        raise ValueError(f"CycloneDX spec version {spec!r} is not one of {', '.join(SPEC_VERSIONS)}")
    components = document.get("components", [])
    if not isinstance(components, list):
        raise ValueError("the SBOM's components must be a list")
    if len(components) > MAX_COMPONENTS:
        raise ValueError(f"the SBOM lists {len(components):,} components: at most {MAX_COMPONENTS:,} are read")
    packages: dict[str, str] = {}
    others: dict[str, int] = {}
    missing = 0
    for c in components:
        purl = c.get("purl") if isinstance(c, Mapping) else None
        if not purl:
            missing += 1
            continue
        kind, name, version = parse_purl(purl)
        if kind == "pypi" and version:
            packages[normalize(name)] = version
        else:
            others[kind] = others.get(kind, 0) + 1
    meta = document.get("metadata", {}) if isinstance(document.get("metadata"), Mapping) else {}
    subject = meta.get("component", {}) if isinstance(meta.get("component"), Mapping) else {}
    return Sbom(
        spec_version=spec,
        tools=_tools(meta),
        subject=f"{subject.get('name', '')} {subject.get('version', '')}".strip(),
        timestamp=str(meta.get("timestamp", "")),
        packages=dict(sorted(packages.items())),
        other_types=others,
        without_purl=missing,
    )


__all__ = ["MAX_COMPONENTS", "SPEC_VERSIONS", "Sbom", "parse_purl", "read_sbom"]
