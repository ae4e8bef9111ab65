"""Lesson 05's live parts: capability decoding, /proc/self/status, root in a user namespace, the syscall count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.support.privlab import DOCKER_BITS
from widgets.models import privileges


def test_capability_names_match_the_kernel_header_by_number():
    assert len(privileges.CAPABILITIES) == 41
    assert privileges.CAPABILITIES[0] == "CAP_CHOWN" and privileges.CAPABILITIES[21] == "CAP_SYS_ADMIN"
    assert privileges.CAPABILITIES[40] == "CAP_CHECKPOINT_RESTORE"
    header = Path("/usr/include/linux/capability.h")
    if header.is_file():  # the installed UAPI header agrees, name by name
        pairs = re.findall(r"^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$", header.read_text(encoding="utf-8"), re.M)
        by_number = {int(n): name for name, n in pairs if name not in ("CAP_LAST_CAP",)}
        assert all(by_number[i] == name for i, name in enumerate(privileges.CAPABILITIES))


def test_docker_default_set_decodes_bit_by_bit():
    mask = sum(1 << bit for bit in DOCKER_BITS)  # the 14 bits, added by hand
    assert mask == 0xA80425FB and f"{mask:016x}" == "00000000a80425fb"
    names = privileges.decode_caps("00000000a80425fb")
    assert names == tuple(DOCKER_BITS[b] for b in sorted(DOCKER_BITS)) and len(names) == 14
    assert privileges.decode_caps("0xA80425FB") == names  # prefix and upper case accepted


def test_full_empty_and_unknown_masks():
    assert privileges.decode_caps("1ffffffffff") == privileges.CAPABILITIES  # bits 0..40: all 41
    assert privileges.decode_caps("0") == privileges.decode_caps("0000000000000000") == ()
    assert privileges.decode_caps("000001fffeffffff") == tuple(
        c for c in privileges.CAPABILITIES if c != "CAP_SYS_RESOURCE"
    )
    assert privileges.decode_caps("20000000000") == ("CAP_41",)
    every = privileges.decode_caps("ffffffffffffffff")
    assert len(every) == 64 and every[-1] == "CAP_63" and every[:41] == privileges.CAPABILITIES


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("xyz", "not hex"),
        ("-1", "not hex"),
        ("12 34", "not hex"),
        ("1" * 20, "more than 16"),
        ("a" * 17, "more than 16"),
        (None, "NoneType"),
        (5, "int"),
        (True, "bool"),
        (1.5, "float"),
        (b"ff", "bytes"),
    ],
)
def test_hostile_masks(bad, words):
    with pytest.raises(ValueError, match=f"hex_mask.*{words}"):
        privileges.decode_caps(bad)
