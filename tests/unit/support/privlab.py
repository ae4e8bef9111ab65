"""Helpers the privlab tests of several floors share."""

from __future__ import annotations

from tests.procs import processes_with
from widgets.labs import base, privlab
from widgets.labs.capabilities import capabilities

_CAP = next((c for c in capabilities() if c.name == "user namespaces"), None)


USERNS = bool(_CAP and _CAP.available)


NO_USERNS = f"user namespaces are not usable here: {_CAP.detail if _CAP else 'the probe did not report them'}"


DOCKER_BITS = {
    0: "CAP_CHOWN",
    1: "CAP_DAC_OVERRIDE",
    3: "CAP_FOWNER",
    4: "CAP_FSETID",
    5: "CAP_KILL",
    6: "CAP_SETGID",
    7: "CAP_SETUID",
    8: "CAP_SETPCAP",
    10: "CAP_NET_BIND_SERVICE",
    13: "CAP_NET_RAW",
    18: "CAP_SYS_CHROOT",
    27: "CAP_MKNOD",
    29: "CAP_AUDIT_WRITE",
    31: "CAP_SETFCAP",
}


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


def _fake_child(monkeypatch, tmp_path, code: str) -> None:
    """Replace the lab's child program with ``code`` (the real runner still starts, times and kills it)."""
    (tmp_path / "privileges.py").write_text(code, encoding="utf-8")
    monkeypatch.setattr(base, "CHILDREN", tmp_path)
