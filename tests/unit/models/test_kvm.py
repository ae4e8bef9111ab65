"""The page-long hypervisor on /dev/kvm: structures, guest code, exits, timeouts, clean-up."""

from __future__ import annotations

import re

import pytest

from widgets.models.guest import build_guest, disassemble


def test_build_guest_encodes_one_out_per_character():
    code = build_guest("Hi")
    assert code == bytes.fromhex("BAF803 B048 EE B069 EE F4")


def test_build_guest_with_add_holds_the_operands_not_the_answer():
    code = build_guest("=", add=(7, 8))
    assert bytes.fromhex("B007 0408") in code  # mov al,7 ; add al,8: the guest adds
    assert bytes([0xB0, 15]) not in code  # the host did not precompute 15
    assert code.endswith(b"\xf4")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"message": ""}, "message must be text of 1 to 200 characters, got 0 characters"),
        ({"message": "x" * 201}, "got 201 characters"),
        ({"message": 42}, "message must be text"),
        ({"message": "naïve"}, "character 3 is 'ï'"),
        ({"message": "tab\there"}, "printable ASCII"),
        ({"message": "a", "add": (1,)}, "add must be a pair"),
        ({"message": "a", "add": [1, 2]}, "add must be a pair"),
        ({"message": "a", "add": (True, 2)}, "add: a must be a whole number from 0 to 255"),
        ({"message": "a", "add": (1, 2.0)}, "add: b must be a whole number"),
        ({"message": "a", "add": (-1, 2)}, "add: a must be"),
        ({"message": "a", "add": (200, 56)}, "a + b must be at most 255"),
    ],
)
def test_build_guest_refuses_hostile_inputs(kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        build_guest(**kwargs)


@pytest.mark.parametrize(("message", "add"), [("Hello!\n", None), ("x=", (120, 3)), ("0", (0, 0))])
def test_disassemble_round_trips_build_guest(message, add):
    code = build_guest(message, add=add)
    lines = disassemble(code)
    rebuilt = bytes.fromhex("".join(line.split("  ")[1] for line in lines))
    assert rebuilt == code
    assert lines[0] == "1000:  BA F8 03   mov dx, 0x3f8"
    assert lines[-1].endswith("hlt")
    assert not any("db 0x" in line for line in lines)
    starts = {int(line.split(":")[0], 16) for line in lines}
    for line in lines:  # every jump lands on an instruction
        if " jz " in line or " jmp " in line:
            assert int(line.rsplit("0x", 1)[1], 16) in starts
    assert sum(line.endswith("out dx, al") for line in lines) == len(message) + (3 if add else 0)


def test_disassemble_shows_characters_and_unknown_bytes():
    lines = disassemble(bytes.fromhex("B048 EBFE 0F"))
    assert lines[0].endswith("mov al, 0x48  ; 72 'H'")
    assert lines[1].endswith("jmp 0x1002")
    assert lines[2].endswith("db 0x0f")


@pytest.mark.parametrize("code", [b"", "EBFE", None, [0xF4]])
def test_disassemble_refuses_non_bytes(code):
    with pytest.raises(ValueError, match="code must be non-empty bytes"):
        disassemble(code)  # type: ignore[arg-type]
