"""Lesson 05's live parts: capability decoding, /proc/self/status, root in a user namespace, the syscall count."""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

import pytest

from tests.procs import wait_until_gone
from tests.unit.support.privlab import (
    FAKE_STATUS,
    NO_USERNS,
    USERNS,
    _fake_child,
    _lab_processes,
)
from widgets.core import data
from widgets.labs import privlab
from widgets.models import privileges

HEADER = next((p for p in privlab.HEADERS.get(os.uname().machine, ()) if os.path.isfile(p)), None)


def test_seccomp_zero_note_and_empty_capabilities():
    text = FAKE_STATUS.replace("Seccomp:\t2", "Seccomp:\t0").replace("00000000a80425fb", "0000000000000000")
    p = privlab.process_privileges(text)
    assert "seccomp 0: no system-call filter: every system call this kernel has is reachable." in p.notes
    assert any("privileged operations are refused" in n for n in p.notes)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
def test_this_process_privileges():
    p = privlab.process_privileges()
    assert p.available and p.source == "/proc/self/status" and p.uid[0] == os.getuid()
    line = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("CapEff:"))
    assert p.caps["CapEff"] == privileges.decode_caps(line.split()[1])


@pytest.mark.live
def test_live_child_is_root_inside_only(privlab_run):
    comp, uid, _, _ = privlab_run
    assert comp.live and not comp.errors, comp.why
    child = comp.observed["child"]
    assert child["uid"] == 0 and comp.child.uid == (0, 0, 0, 0)
    assert "CAP_SYS_ADMIN" in comp.child.caps["CapEff"] and len(comp.child.caps["CapEff"]) == 41
    outside = privlab.NOBODY if uid == 0 else uid
    assert child["dropped"] is (uid == 0) and child["uid_before_unshare"] == outside
    assert child["uid_map"].split() == ["0", str(outside), "1"]
    assert os.getuid() == uid and comp.this.uid[1] == os.geteuid()  # this process kept its uid


@pytest.mark.live
def test_live_run_leaves_no_process(privlab_run):
    comp, _, _, elapsed = privlab_run
    assert wait_until_gone(_lab_processes) == [] and comp.observed["left"] == []
    assert 0 < comp.observed["child_ms"] < elapsed * 1e3


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_hanging_child_is_killed_at_the_timeout(monkeypatch, tmp_path):
    _fake_child(monkeypatch, tmp_path, "import time\ntime.sleep(60)\n")
    start = time.monotonic()
    comp = privlab.privileges_in_user_namespace(live="on", timeout_s=0.5)
    assert 0.5 <= time.monotonic() - start < 4.0
    assert not comp.live and "timeout of 0.5 s" in comp.errors[0] and "failed here" in comp.why
    assert wait_until_gone(_lab_processes) == []


def test_recording_file():
    rec = privlab.RECORDING.load()
    assert rec["recorded_on"] == "2026-11-26" and rec["label"] == privlab.LABEL
    assert rec["machine"]["description"] == "Firecracker micro-VM, root user" and rec["machine"]["kernel"]
    assert json.loads(json.dumps(rec)) == rec and rec["observed"]["child"]["dropped"] is True


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (0, "at least 0.5"),
        (-1, "at least 0.5"),
        (float("nan"), "not a number"),
        (math.inf, "finite"),
        (1e9, "at most 120"),
        (True, "must be a number"),
        ("abc", "must be a number"),
        ("", "empty"),
        (None, "number"),
    ],
)
def test_hostile_timeouts(bad, words):
    with pytest.raises(ValueError, match=f"timeout_s.*{words}"):
        privlab.privileges_in_user_namespace(live="off", timeout_s=bad)


@pytest.mark.parametrize("bad", ["sometimes", "", None, True, "ON"])
def test_hostile_live_modes(bad):
    with pytest.raises(ValueError, match="live must be one of"):
        privlab.privileges_in_user_namespace(live=bad)
    with pytest.raises(ValueError, match="live must be one of"):
        privlab.syscall_count(live=bad)


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
    header.write_text(
        "#ifndef _ASM_UNISTD_64_H\n#define _ASM_UNISTD_64_H\n#define __NR_read 0\n"
        "#  define __NR_write 1\n#define __NR_fcntl __NR3264_fcntl\n#define __NR_listns 470\n"
        "/* #define __NR_fake 9 is a comment */\n#define __NR_syscalls 471\n#endif\n"
    )
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
