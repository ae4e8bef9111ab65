"""The CycloneDX reader: the tool's real document, package URLs, other ecosystems, and bad documents."""

from __future__ import annotations

import json

import pytest

from widgets.labs.sbom import RECORDING
from widgets.models import sbom, scanner


def doc(*components, spec="1.6", **meta):
    return {"bomFormat": "CycloneDX", "specVersion": spec, "metadata": meta, "components": list(components)}


def test_the_recorded_sbom_is_the_tools_own_document_of_the_course_environment():
    rec = RECORDING.load()
    s = sbom.read_sbom(rec)
    assert rec["bomFormat"] == "CycloneDX" and s.spec_version == "1.6"
    assert any(t.startswith("cyclonedx-py ") for t in s.tools)  # made by the maintained tool, not by the course
    assert s.packages["plotly"] and s.packages["cyclonedx-bom"] and s.packages["numpy"]
    assert "pyyaml" in s.packages and "PyYAML" not in s.packages  # names normalised as the scanner expects
    lock = scanner.EXAMPLE_IMAGES["full"].inventory  # the course's lock, for this Python
    assert set(lock) <= set(s.packages)  # every package the course declares is in its SBOM


def test_the_scanner_reads_the_sbom_and_finds_an_advisory_in_an_older_version():
    s = sbom.read_sbom(json.dumps(doc({"name": "requests", "version": "2.30.0", "purl": "pkg:pypi/requests@2.30.0"})))
    found = scanner.scan(s.packages, label="sbom")
    assert s.packages == {"requests": "2.30.0"}
    assert any(f.package == "requests" for f in found.findings)  # PYSEC-2023-74 affects 2.30.0


def test_package_urls_are_parsed_with_namespaces_qualifiers_and_escapes():
    assert sbom.parse_purl("pkg:pypi/jinja2@3.1.6") == ("pypi", "jinja2", "3.1.6")
    assert sbom.parse_purl("pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64") == (
        "deb",
        "openssl",
        "3.0.15-1~deb12u1",
    )
    assert sbom.parse_purl("pkg:npm/%40types/node@20.1.0") == ("npm", "node", "20.1.0")
    with pytest.raises(ValueError, match="not a package URL"):
        sbom.parse_purl("jinja2==3.1.6")


def test_os_packages_are_counted_but_not_checked_against_python_advisories():
    s = sbom.read_sbom(
        doc(
            {"name": "openssl", "purl": "pkg:deb/debian/openssl@3.0.15-1"},
            {"name": "musl", "purl": "pkg:apk/alpine/musl@1.2.5-r0"},
            {"name": "PyYAML", "purl": "pkg:pypi/pyyaml@6.0.2"},
            {"name": "a file"},
            tools={"components": [{"name": "syft", "version": "1.0"}]},
            component={"name": "app", "version": "2"},
        )
    )
    assert s.packages == {"pyyaml": "6.0.2"}
    assert s.other_types == {"deb": 1, "apk": 1} and s.without_purl == 1 and s.components == 4
    words = s.words()
    assert "1 apk, 1 deb package(s) the Python advisories do not cover" in words
    assert "of app 2, made by syft 1.0" in words


def test_cyclonedx_1_4_tools_are_a_list():
    s = sbom.read_sbom(doc(spec="1.4", tools=[{"vendor": "x", "name": "old-tool", "version": "0.1"}]))
    assert s.tools == ("old-tool 0.1",) and s.packages == {}


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ({"bomFormat": "SPDX"}, "not a CycloneDX document"),
        ({"bomFormat": "CycloneDX", "specVersion": "9.9"}, "spec version '9.9'"),
        ({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}, "must be a list"),
        (doc({"purl": "nonsense"}), "not a package URL"),
    ],
)
def test_bad_documents_are_refused_with_a_clear_message(bad, words):
    with pytest.raises(ValueError, match=words):
        sbom.read_sbom(bad)
