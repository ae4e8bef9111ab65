"""The learner's guest: the assembler's listing and messages, and the model that runs it where KVM is missing."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from widgets.models import guestprog
from widgets.models.guest import LOAD_ADDRESS

COUNTDOWN = """
    mov dx, 0x3f8     ; the serial port
    mov al, '9'
again:
    out dx, al        ; one exit per digit
    dec al
    cmp al, '/'       ; one below '0'
    jnz again
    hlt
"""


def test_assembles_to_the_bytes_a_real_assembler_gives():
    guest = guestprog.assemble(COUNTDOWN)
    # the standard 16-bit encodings (checked against binutils' disassembler below)
    assert guest.code == bytes.fromhex("BAF803 B039 EE FEC8 3C2F 75F9 F4")
    assert [line.address for line in guest.listing] == [0x1000, 0x1003, 0x1005, 0x1006, 0x1008, 0x100A, 0x100C]
    assert "jnz again  ; to 1005" in guest.lines()[5]


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("mov bl, al", "88C3"),
        ("add al, bl", "00D8"),
        ("sub cl, 3", "80E903"),
        ("cmp bl, 'A'", "80FB41"),
        ("inc cl", "FEC1"),
        ("mov cx, 500", "B9F401"),
        ("out 0x80, al", "E680"),
        ("in al, dx", "EC"),
        ("mov al, ';'  ; a comment after a quoted semicolon", "B03B"),
        ("mov al, ','", "B02C"),
        ("db 0x0f, 0x0b", "0F0B"),
        ("l: loop l", "E2FE"),
    ],
)
def test_each_instruction_form(source, code):
    assert guestprog.assemble(source).code == bytes.fromhex(code)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("mov ax", "line 1: 'mov ax' is not an instruction"),
        ("jnz nowhere", "no line is labelled nowhere"),
        ("mov al, 300", "does not fit in 8 bits"),
        ("mov al, x", "is not a number"),
        ("a: nop\na: hlt", "defined twice"),
        ("out 0xf1, al", "the lab's fault report"),
        ("", "empty"),
        ("; only a comment", "empty"),
        ("nop\n" * 300, "too long"),
        ("db " + ", ".join(["0x90"] * 200) + "\n" + ("db " + ", ".join(["0x90"] * 200) + "\n") * 5, "too long|bytes"),
    ],
)
def test_bad_programs_get_a_sentence(source, words):
    with pytest.raises(ValueError, match=words):
        guestprog.assemble(source)


@pytest.mark.parametrize("bad", [None, 42, b"\xf4", ["hlt"]])
def test_assemble_wants_text(bad):
    with pytest.raises(ValueError, match="must be text"):
        guestprog.assemble(bad)


def test_model_runs_the_countdown():
    run = guestprog.emulate(guestprog.assemble(COUNTDOWN).code)
    assert run.output == "9876543210" and run.exits == {"IO": 10, "HLT": 1} and run.total_exits == 11
    assert run.stopped == "halted" and not run.live and run.run_ms is None
    assert run.log[0] == "exit #1: IO out port 0x3f8 0x39" and run.log[-1] == "exit #11: HLT"


def test_model_loop_counts_with_cx():
    code = guestprog.assemble("mov dx, 0x3f8\nmov cx, 4\nmov al, 'x'\nl: out dx, al\nloop l\nhlt").code
    assert guestprog.emulate(code).exits == {"IO": 4, "HLT": 1}


def test_model_stops_code_that_never_halts():
    spin = guestprog.emulate(guestprog.assemble("l: jmp l").code, max_steps=1000)
    assert spin.stopped == "step-limit" and spin.total_exits == 0
    prints = guestprog.emulate(guestprog.assemble("mov dx,0x3f8\nl: out dx, al\njmp l").code, max_exits=50)
    assert prints.stopped == "exit-limit" and prints.exits == {"IO": 50}


def test_model_faults_like_the_lab_machine():
    off_end = guestprog.emulate(guestprog.assemble("mov dx, 0x3f8\nmov al, 'A'\nout dx, al").code)
    assert off_end.stopped == "fault" and off_end.fault == {"vector": 6, "ip": LOAD_ADDRESS + 6}
    assert off_end.exits == {"IO": 2} and "vector 6" in off_end.log[-1]  # the stub's report is an IO exit
    ud2 = guestprog.emulate(bytes.fromhex("0F0B"))
    assert ud2.stopped == "fault" and ud2.fault["ip"] == LOAD_ADDRESS
    assert guestprog.emulate(bytes.fromhex("FFFF")).stopped == "fault"  # FF /7 is undefined
    assert guestprog.emulate(bytes.fromhex("CD10")).stopped == "unsupported"  # int 0x10: outside the subset


@pytest.mark.parametrize("bad", [b"", "F4", None, b"\x90" * (guestprog.MAX_CODE + 1)])
def test_model_refuses_bad_code(bad):
    with pytest.raises(ValueError, match="bytes of machine code"):
        guestprog.emulate(bad)


@pytest.mark.skipif(shutil.which("objdump") is None, reason="binutils objdump is not installed")
def test_binutils_disassembles_the_listing_back(tmp_path):
    """A disassembler nobody here wrote reads the assembler's bytes as the same instructions."""
    source = COUNTDOWN + "mov bl, al\nadd al, bl\nsub cl, 3\ninc cl\nmov cx, 500\nout 0x80, al\nin al, dx\n"
    (tmp_path / "code.bin").write_bytes(guestprog.assemble(source).code)
    out = subprocess.run(
        ["objdump", "-D", "-b", "binary", "-mi8086", "--adjust-vma=0x1000", str(tmp_path / "code.bin")],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for expected in (
        "mov    $0x3f8,%dx",
        "out    %al,(%dx)",
        "dec    %al",
        "cmp    $0x2f,%al",
        "jne    0x1005",
        "hlt",
        "mov    %al,%bl",
        "add    %bl,%al",
        "sub    $0x3,%cl",
        "inc    %cl",
        "mov    $0x1f4,%cx",
        "out    %al,$0x80",
        "in     (%dx),%al",
    ):
        assert expected in out, expected
