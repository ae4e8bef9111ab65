"""Lesson 05's live parts: capability decoding, /proc/self/status, root in a user namespace, the syscall count."""

from __future__ import annotations

import os

import pytest

from tests.unit.support.privlab import (
    DOCKER_BITS,
    FAKE_STATUS,
    NO_USERNS,
    USERNS,
    _fake_child,
)
from widgets.labs import privlab
from widgets.ui import privlab as privlab_ui
from widgets.ui.theme import COLORS


def test_fake_status_is_parsed_and_explained():
    p = privlab.process_privileges(FAKE_STATUS)
    assert p.available and p.source == "the given status text"
    assert p.uid == (1000,) * 4 and p.gid == (1000,) * 4
    assert p.caps["CapEff"] == tuple(DOCKER_BITS[b] for b in sorted(DOCKER_BITS)) and p.caps["CapPrm"] == ()
    assert p.caps["CapAmb"] == ("CAP_NET_BIND_SERVICE",) and len(p.caps["CapBnd"]) == 41
    assert p.masks["CapEff"] == "00000000a80425fb"
    assert (p.no_new_privs, p.seccomp, p.seccomp_filters) == (1, 2, 3)
    notes = " ".join(p.notes)
    assert "seccomp 2: filter" in notes and "3 filter(s)" in notes and "no_new_privs 1" in notes
    assert "14 of 41" in notes and "ambient" in notes and "CAP_NET_BIND_SERVICE" in notes
    assert "uid 1000 with 14 of 41 capabilities effective, seccomp mode 2" in privlab_ui.summarize_privileges(p)
    page = privlab_ui.privileges_html(p)
    assert "00000000a80425fb" in page and "CAP_SETFCAP" in page and page.count("<tr>") == 6


def test_status_without_proc_or_with_junk_never_raises(monkeypatch):
    def missing(self, *a, **k):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(privlab.Path, "read_text", missing)
    p = privlab.process_privileges()
    assert not p.available and "cannot be read here" in p.notes[0] and "Linux kernel features" in p.notes[0]
    assert privlab_ui.summarize_privileges(p).startswith("Privileges could not be read")
    assert "<table>" not in privlab_ui.privileges_html(p)
    monkeypatch.undo()
    assert not privlab.process_privileges("").available
    assert "no Uid or Cap" in privlab.process_privileges("hello: world\n").notes[0]
    bad = privlab.process_privileges(FAKE_STATUS.replace("00000000a80425fb", "zz"))
    assert bad.available and "CapEff" not in bad.caps and any("CapEff: hex_mask" in n for n in bad.notes)
    with pytest.raises(ValueError, match="status_text"):
        privlab.process_privileges(5)  # type: ignore[arg-type]


@pytest.mark.live
def test_live_root_inside_is_refused_on_the_host(privlab_run):
    comp, _, _, _ = privlab_run
    tried = comp.observed["child"]["attempts"]
    shadow = "EACCES" if os.path.exists("/etc/shadow") else "ENOENT"
    assert tried["/etc/shadow"].startswith(shadow) and tried["kill(1, 0)"].startswith("EPERM")
    assert all(c.passed for c in comp.checks), [c for c in comp.checks if not c.passed]
    text = privlab_ui.summarize_comparison(comp)
    assert "uid 0 with all 41" in text and "EPERM" in text and "measured here" in text


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_crashing_child_falls_back_with_its_error(monkeypatch, tmp_path):
    _fake_child(monkeypatch, tmp_path, "raise SystemExit('no luck here')\n")
    comp = privlab.privileges_in_user_namespace(live="on")
    assert not comp.live and "exited with code 1: no luck here" in comp.errors[0]
    assert "no luck here" in privlab_ui.comparison_html(comp)


def test_live_off_shows_the_recording():
    comp = privlab.privileges_in_user_namespace(live="off")
    assert not comp.live and not comp.errors and comp.recorded_on == "2026-11-26"
    assert "live='off'" in comp.why and privlab.LABEL in comp.why
    assert all(c.passed for c in comp.checks) and len(comp.checks) == 6
    assert comp.this.uid[0] == 0 and comp.observed["child"]["uid_map"].split() == ["0", "65534", "1"]
    assert any("In the recording this process was root" in n for n in comp.notes)
    assert any("CVE-2022-0185" in n and "cvelist" not in n for n in comp.notes)
    page = privlab_ui.comparison_html(comp)
    assert "Recorded" in page and page.count("✔") == 6 and "✘" not in page
    assert privlab.LABEL in privlab_ui.summarize_comparison(comp)


def test_attack_surface_figure():
    count = privlab.syscall_count(live="off")
    fig = privlab_ui.attack_surface_figure(count)
    container, microvm = fig.data
    assert list(container.x) == [368, 361, 44] and list(microvm.x) == [24, 5]
    assert container.marker.color == COLORS["container"] and microvm.marker.color == COLORS["microvm"]
    assert list(container.text) == ["368 syscalls", "361 syscall names", "44 syscalls"]
    assert list(microvm.text) == ["24 syscalls", "5 devices"]
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "count (log scale)"
    assert "secondary" in microvm.hovertext[0] and "all architectures" in container.hovertext[1]
    assert "cited" in container.hovertext[0]
    text = privlab_ui.summarize_attack_surface(count)
    assert text.count(". ") == 0 and "368" in text and "361" in text and "24" in text and "5 emulated" in text
    assert "an allow-list" in text and "cannot be set against this kernel's 368 one for one" in text
    assert "jailer" not in text and "own per-thread seccomp filters" in text  # the filters are Firecracker's own
    assert "jailer" not in " ".join(microvm.y) + fig.data[1].name
    live = privlab.syscall_count()
    if live.live:
        assert privlab_ui.attack_surface_figure(live).data[0].x[0] == live.count
        assert "counted here" in privlab_ui.summarize_attack_surface(live)
