"""Lesson 05's live parts: capability decoding, /proc/self/status, root in a user namespace, the syscall count."""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

import pytest

from tests.procs import processes_with, wait_until_gone
from widgets import data, privlab
from widgets.probe import capabilities
from widgets.theme import COLORS

_CAP = next((c for c in capabilities() if c.name == "user namespaces"), None)
USERNS = bool(_CAP and _CAP.available)
NO_USERNS = f"user namespaces are not usable here: {_CAP.detail if _CAP else 'the probe did not report them'}"
HEADER = next((p for p in privlab.HEADERS.get(os.uname().machine, ()) if os.path.isfile(p)), None)
DOCKER_BITS = {0: "CAP_CHOWN", 1: "CAP_DAC_OVERRIDE", 3: "CAP_FOWNER", 4: "CAP_FSETID", 5: "CAP_KILL",
               6: "CAP_SETGID", 7: "CAP_SETUID", 8: "CAP_SETPCAP", 10: "CAP_NET_BIND_SERVICE", 13: "CAP_NET_RAW",
               18: "CAP_SYS_CHROOT", 27: "CAP_MKNOD", 29: "CAP_AUDIT_WRITE", 31: "CAP_SETFCAP"}
FAKE_STATUS = """Name:\tfake
Umask:\t0022
State:\tS (sleeping)
Uid:\t1000\t1000\t1000\t1000
Gid:\t1000\t1000\t1000\t1000
CapInh:\t0000000000000000
CapPrm:\t0000000000000000
CapEff:\t00000000a80425fb
CapBnd:\t000001ffffffffff
CapAmb:\t0000000000000400
NoNewPrivs:\t1
Seccomp:\t2
Seccomp_filters:\t3
"""


def _lab_processes() -> list[int]:
    return processes_with(privlab.MARKER)


# --- decode_caps -------------------------------------------------------------------------------------------------

def test_capability_names_match_the_kernel_header_by_number():
    assert len(privlab.CAPABILITIES) == 41
    assert privlab.CAPABILITIES[0] == "CAP_CHOWN" and privlab.CAPABILITIES[21] == "CAP_SYS_ADMIN"
    assert privlab.CAPABILITIES[40] == "CAP_CHECKPOINT_RESTORE"
    header = Path("/usr/include/linux/capability.h")
    if header.is_file():  # the installed UAPI header agrees, name by name
        pairs = re.findall(r"^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$", header.read_text(encoding="utf-8"), re.M)
        by_number = {int(n): name for name, n in pairs if name not in ("CAP_LAST_CAP",)}
        assert all(by_number[i] == name for i, name in enumerate(privlab.CAPABILITIES))


def test_docker_default_set_decodes_bit_by_bit():
    mask = sum(1 << bit for bit in DOCKER_BITS)  # the 14 bits, added by hand
    assert mask == 0xA80425FB and f"{mask:016x}" == "00000000a80425fb"
    names = privlab.decode_caps("00000000a80425fb")
    assert names == tuple(DOCKER_BITS[b] for b in sorted(DOCKER_BITS)) and len(names) == 14
    assert privlab.decode_caps("0xA80425FB") == names  # prefix and upper case accepted


def test_full_empty_and_unknown_masks():
    assert privlab.decode_caps("1ffffffffff") == privlab.CAPABILITIES  # bits 0..40: all 41
    assert privlab.decode_caps("0") == privlab.decode_caps("0000000000000000") == ()
    assert privlab.decode_caps("000001fffeffffff") == tuple(c for c in privlab.CAPABILITIES if c != "CAP_SYS_RESOURCE")
    assert privlab.decode_caps("20000000000") == ("CAP_41",)
    every = privlab.decode_caps("ffffffffffffffff")
    assert len(every) == 64 and every[-1] == "CAP_63" and every[:41] == privlab.CAPABILITIES


@pytest.mark.parametrize(("bad", "words"), [
    ("", "empty"), ("   ", "empty"), ("xyz", "not hex"), ("-1", "not hex"), ("12 34", "not hex"),
    ("1" * 20, "more than 16"), ("a" * 17, "more than 16"), (None, "NoneType"), (5, "int"), (True, "bool"),
    (1.5, "float"), (b"ff", "bytes"),
])
def test_hostile_masks(bad, words):
    with pytest.raises(ValueError, match=f"hex_mask.*{words}"):
        privlab.decode_caps(bad)


# --- process_privileges -------------------------------------------------------------------------------------------

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
    assert "uid 1000 with 14 of 41 capabilities effective, seccomp mode 2" in privlab.summarize_privileges(p)
    page = privlab.privileges_html(p)
    assert "00000000a80425fb" in page and "CAP_SETFCAP" in page and page.count("<tr>") == 6


def test_seccomp_zero_note_and_empty_capabilities():
    text = FAKE_STATUS.replace("Seccomp:\t2", "Seccomp:\t0").replace("00000000a80425fb", "0000000000000000")
    p = privlab.process_privileges(text)
    assert "seccomp 0: no system-call filter: every system call this kernel has is reachable." in p.notes
    assert any("privileged operations are refused" in n for n in p.notes)


def test_status_without_proc_or_with_junk_never_raises(monkeypatch):
    def missing(self, *a, **k):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(privlab.Path, "read_text", missing)
    p = privlab.process_privileges()
    assert not p.available and "cannot be read here" in p.notes[0] and "Linux kernel features" in p.notes[0]
    assert privlab.summarize_privileges(p).startswith("Privileges could not be read")
    assert "<table>" not in privlab.privileges_html(p)
    monkeypatch.undo()
    assert not privlab.process_privileges("").available
    assert "no Uid or Cap" in privlab.process_privileges("hello: world\n").notes[0]
    bad = privlab.process_privileges(FAKE_STATUS.replace("00000000a80425fb", "zz"))
    assert bad.available and "CapEff" not in bad.caps and any("CapEff: hex_mask" in n for n in bad.notes)
    with pytest.raises(ValueError, match="status_text"):
        privlab.process_privileges(5)  # type: ignore[arg-type]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
def test_this_process_privileges():
    p = privlab.process_privileges()
    assert p.available and p.source == "/proc/self/status" and p.uid[0] == os.getuid()
    line = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("CapEff:"))
    assert p.caps["CapEff"] == privlab.decode_caps(line.split()[1])


# --- the live lab -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_run():
    if not USERNS:
        pytest.skip(NO_USERNS)
    uid, before = os.getuid(), _lab_processes()
    start = time.monotonic()
    comp = privlab.privileges_in_user_namespace(live="on")
    return comp, uid, before, time.monotonic() - start


@pytest.mark.live
def test_live_child_is_root_inside_only(live_run):
    comp, uid, _, _ = live_run
    assert comp.live and not comp.errors, comp.why
    child = comp.observed["child"]
    assert child["uid"] == 0 and comp.child.uid == (0, 0, 0, 0)
    assert "CAP_SYS_ADMIN" in comp.child.caps["CapEff"] and len(comp.child.caps["CapEff"]) == 41
    outside = privlab.NOBODY if uid == 0 else uid
    assert child["dropped"] is (uid == 0) and child["uid_before_unshare"] == outside
    assert child["uid_map"].split() == ["0", str(outside), "1"]
    assert os.getuid() == uid and comp.this.uid[1] == os.geteuid()  # this process kept its uid


@pytest.mark.live
def test_live_root_inside_is_refused_on_the_host(live_run):
    comp, _, _, _ = live_run
    tried = comp.observed["child"]["attempts"]
    shadow = "EACCES" if os.path.exists("/etc/shadow") else "ENOENT"
    assert tried["/etc/shadow"].startswith(shadow) and tried["kill(1, 0)"].startswith("EPERM")
    assert all(c.passed for c in comp.checks), [c for c in comp.checks if not c.passed]
    text = privlab.summarize_comparison(comp)
    assert "uid 0 with all 41" in text and "EPERM" in text and "measured here" in text


@pytest.mark.live
def test_live_run_leaves_no_process(live_run):
    comp, _, _, elapsed = live_run
    assert wait_until_gone(_lab_processes) == [] and comp.observed["left"] == []
    assert 0 < comp.observed["child_ms"] < elapsed * 1e3


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_hanging_child_is_killed_at_the_timeout(monkeypatch):
    monkeypatch.setattr(privlab, "_CHILD", "# cvm-privlab child (test: hangs)\nimport time\ntime.sleep(60)\n")
    start = time.monotonic()
    comp = privlab.privileges_in_user_namespace(live="on", timeout_s=0.5)
    assert 0.5 <= time.monotonic() - start < 4.0
    assert not comp.live and "timeout of 0.5 s" in comp.errors[0] and "failed here" in comp.why
    assert wait_until_gone(_lab_processes) == []


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_crashing_child_falls_back_with_its_error(monkeypatch):
    monkeypatch.setattr(privlab, "_CHILD", "# cvm-privlab child (test)\nraise SystemExit('no luck here')\n")
    comp = privlab.privileges_in_user_namespace(live="on")
    assert not comp.live and "exited with code 1: no luck here" in comp.errors[0]
    assert "no luck here" in privlab.comparison_html(comp)


def test_live_off_shows_the_recording():
    comp = privlab.privileges_in_user_namespace(live="off")
    assert not comp.live and not comp.errors and comp.recorded_on == "2026-11-26"
    assert "live='off'" in comp.why and privlab.LABEL in comp.why
    assert all(c.passed for c in comp.checks) and len(comp.checks) == 6
    assert comp.this.uid[0] == 0 and comp.observed["child"]["uid_map"].split() == ["0", "65534", "1"]
    assert any("In the recording this process was root" in n for n in comp.notes)
    assert any("CVE-2022-0185" in n and "cvelist" not in n for n in comp.notes)
    page = privlab.comparison_html(comp)
    assert "Recorded" in page and page.count("✔") == 6 and "✘" not in page
    assert privlab.LABEL in privlab.summarize_comparison(comp)


def test_recording_file():
    rec = data.recording(privlab.RECORDING)
    assert rec["recorded_on"] == "2026-11-26" and rec["label"] == privlab.LABEL
    assert rec["machine"]["description"] == "Firecracker micro-VM, root user" and rec["machine"]["kernel"]
    assert json.loads(json.dumps(rec)) == rec and rec["observed"]["child"]["dropped"] is True


@pytest.mark.parametrize(("bad", "words"), [
    (0, "at least 0.5"), (-1, "at least 0.5"), (float("nan"), "not a number"), (math.inf, "finite"),
    (1e9, "at most 120"), (True, "must be a number"), ("abc", "must be a number"), ("", "empty"), (None, "number"),
])
def test_hostile_timeouts(bad, words):
    with pytest.raises(ValueError, match=f"timeout_s.*{words}"):
        privlab.privileges_in_user_namespace(live="off", timeout_s=bad)


@pytest.mark.parametrize("bad", ["sometimes", "", None, True, "ON"])
def test_hostile_live_modes(bad):
    with pytest.raises(ValueError, match="live must be one of"):
        privlab.privileges_in_user_namespace(live=bad)
    with pytest.raises(ValueError, match="live must be one of"):
        privlab.syscall_count(live=bad)


# --- syscall_count ------------------------------------------------------------------------------------------------

@pytest.mark.skipif(HEADER is None, reason="no kernel unistd header installed here (linux-libc-dev)")
def test_syscall_count_here():
    count = privlab.syscall_count()
    numbers = []
    for line in Path(HEADER).read_text(encoding="utf-8").splitlines():  # a second way: split the words
        words = line.split()
        if len(words) == 3 and words[0] == "#define" and words[1].startswith("__NR_") and words[2].isdigit():
            numbers += [int(words[2])] if words[1] != "__NR_syscalls" else []
    assert count.live and count.source == HEADER and 300 <= count.count <= 500
    assert count.count == len(numbers) and count.highest == max(numbers)
    assert "not necessarily the running kernel" in count.label and count.running_kernel == os.uname().release
    version = Path("/usr/include/linux/version.h")
    if version.is_file():
        parts = [re.search(rf"LINUX_VERSION_{k}\s+(\d+)", version.read_text()) for k in ("MAJOR", "PATCHLEVEL")]
        if all(parts):
            assert count.headers_version.startswith(".".join(m.group(1) for m in parts if m) + ".")


def test_syscall_count_of_a_fake_header(tmp_path):
    header, version = tmp_path / "unistd_64.h", tmp_path / "version.h"
    header.write_text("#ifndef _ASM_UNISTD_64_H\n#define _ASM_UNISTD_64_H\n#define __NR_read 0\n"
                      "#  define __NR_write 1\n#define __NR_fcntl __NR3264_fcntl\n#define __NR_listns 470\n"
                      "/* #define __NR_fake 9 is a comment */\n#define __NR_syscalls 471\n#endif\n")
    version.write_text("#define LINUX_VERSION_CODE 393659\n")
    count = privlab.syscall_count(header=header, version_header=version)
    assert count.live and (count.count, count.highest) == (3, 470) and count.source == str(header)
    assert count.headers_version == "6.1.187" and "counted here" in count.label
    no_version = privlab.syscall_count(header=header, version_header=tmp_path / "missing.h")
    assert no_version.live and no_version.headers_version == ""


def test_syscall_count_falls_back_to_the_cited_count(tmp_path):
    table = data.load("syscall_counts")
    cited = table.row(id="x86_64_recent_with_entry_point")
    for count in (privlab.syscall_count(header=tmp_path / "none.h"), privlab.syscall_count(live="off")):
        assert not count.live and count.count == cited["value"] == 368 and count.highest is None
        assert count.label.startswith("cited:") and table.cite(cited) in count.label
    asked = privlab.syscall_count(live="on", header=tmp_path / "none.h")
    assert not asked.live and "live='on' was asked for" in asked.why and "none.h" in asked.why
    (tmp_path / "empty.h").write_text("/* nothing here */\n")
    assert privlab.syscall_count(header=tmp_path / "empty.h").count == 368


def test_attack_surface_figure():
    count = privlab.syscall_count(live="off")
    fig = privlab.attack_surface_figure(count)
    container, microvm = fig.data
    assert list(container.x) == [368, 361, 44] and list(microvm.x) == [24, 5]
    assert container.marker.color == COLORS["container"] and microvm.marker.color == COLORS["microvm"]
    assert list(container.text) == ["368 syscalls", "361 syscall names", "44 syscalls"]
    assert list(microvm.text) == ["24 syscalls", "5 devices"]
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "count (log scale)"
    assert "secondary" in microvm.hovertext[0] and "all architectures" in container.hovertext[1]
    assert "cited" in container.hovertext[0]
    text = privlab.summarize_attack_surface(count)
    assert text.count(". ") == 0 and "368" in text and "361" in text and "24" in text and "5 emulated" in text
    live = privlab.syscall_count()
    if live.live:
        assert privlab.attack_surface_figure(live).data[0].x[0] == live.count
        assert "counted here" in privlab.summarize_attack_surface(live)
