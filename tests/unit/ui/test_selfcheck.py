"""The one-minute self-check: versions, the report, and the exit code of python -m widgets.selfcheck."""

from __future__ import annotations

from widgets import selfcheck


def test_versions_and_report():
    checks = selfcheck.versions()
    assert checks[0].name == "python" and all(c.ok for c in checks)
    assert selfcheck._as_tuple("8.1.9") > selfcheck._as_tuple("8.1")
    assert selfcheck._as_tuple("2.0.0rc1") == (2, 0, 0)
    html = selfcheck.version_table([selfcheck.VersionCheck("numpy", "1.0", "1.26", False)])
    assert "✘" in html and "make install" in html
    report = selfcheck.report()
    assert "Live labs on this machine" in report and "Verdict:" in report


def test_selfcheck_cli_exit_code(capsys):
    assert selfcheck.main() == 0
    assert "Course self-check" in capsys.readouterr().out
