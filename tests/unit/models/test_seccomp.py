"""The seccomp-BPF filter, assembled and run the way the kernel runs it; the system-call tables checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from widgets.models import seccomp
from widgets.models.syscalls import TABLES


def test_the_filter_denies_exactly_the_named_calls():
    flt = seccomp.assemble(["unshare", "mount"])
    table = TABLES["x86_64"]
    for name, nr in table.items():
        want = seccomp.RET_ERRNO | 1 if name in ("unshare", "mount") else seccomp.RET_ALLOW
        assert seccomp.run_filter(flt, nr) == want, name
    assert seccomp.run_filter(flt, 0x40000000 + 39) == seccomp.RET_ERRNO | 1  # x32 ABI refused
    assert seccomp.run_filter(flt, 39, "aarch64") == seccomp.RET_KILL_PROCESS  # another architecture
    assert seccomp.decide(flt, "unshare") == "EPERM" and seccomp.decide(flt, "getpid") == "allowed"
    assert len(flt.bytes) == 8 * len(flt.program) and flt.bytes[:8] == bytes.fromhex("2000000004000000")
    assert len(flt.listing()) == len(flt.program) and "AUDIT_ARCH_X86_64" in flt.listing()[1]


def test_aarch64_has_no_x32_check_and_its_own_numbers():
    flt = seccomp.assemble("mkdirat, uname", "aarch64")
    assert flt.deny == {"mkdirat": 34, "uname": 160} and len(flt.program) == 4 + 2 + 2
    assert seccomp.decide(flt, "uname") == "EPERM" and seccomp.decide(flt, "getpid") == "allowed"


def test_bad_deny_lists_get_a_clear_message():
    with pytest.raises(ValueError, match="did you mean mkdir"):
        seccomp.assemble(["mkdr"])
    with pytest.raises(ValueError, match="x86_64 only"):
        seccomp.assemble(["mkdir"], "aarch64")
    for bad in (5, [""], [None]):
        with pytest.raises(ValueError, match="deny"):
            seccomp.assemble(bad)
    with pytest.raises(ValueError, match="errno"):
        seccomp.assemble(["mkdir"], errno=0)
    assert seccomp.assemble([]).deny == {}
    oci = seccomp.oci_seccomp(seccomp.assemble(["uname"]))
    assert oci == {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }


HEADERS = {"x86_64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "aarch64": "/usr/include/asm-generic/unistd.h"}


@pytest.mark.parametrize("arch", TABLES)
def test_the_tables_match_the_kernel_headers(arch):
    path = Path(HEADERS[arch])
    if not path.is_file():
        pytest.skip(f"{path} is not installed (linux-libc-dev)")
    found = {m[0]: int(m[1]) for m in re.findall(r"#define __NR(?:3264)?_(\w+)\s+(\d+)", path.read_text())}
    assert {n: found.get(n) for n in TABLES[arch]} == TABLES[arch]


def test_a_kill_filter_kills_instead_of_failing_the_call():
    flt = seccomp.assemble(["sethostname"], kill=True)
    assert seccomp.decide(flt, "sethostname") == "killed" and seccomp.decide(flt, "getpid") == "allowed"
    assert flt.program[-1].k == seccomp.RET_KILL_PROCESS and flt.kill
    assert seccomp.oci_seccomp(flt)["syscalls"] == [{"names": ["sethostname"], "action": "SCMP_ACT_KILL_PROCESS"}]
    with pytest.raises(ValueError, match="kill must be True or False"):
        seccomp.assemble(["mkdir"], kill=1)
