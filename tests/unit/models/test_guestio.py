"""The I/O guests and the dirtying guest as machine code: layout, listings, the model's exit counts, bad input."""

from __future__ import annotations

import re
import struct

import pytest

from tests.hostile import HOSTILE
from widgets.models import guestio, guestmem
from widgets.models.asm16 import Asm
from widgets.models.guest import LOAD_ADDRESS


def test_serial_guest_is_a_loop_of_lodsb_out():
    g = guestio.serial_guest(b"Hi!")
    assert g.code == bytes.fromhex("BE0030 B90300 BAF803 FC AC EE E2FC F4")
    assert g.data == ((guestio.MESSAGE_ADDRESS, b"Hi!"),)
    assert g.listing[0].address == LOAD_ADDRESS and "out dx, al" in g.listing[5].text
    assert b"".join(line.code for line in g.listing) == g.code


def test_ring_guest_writes_one_descriptor_per_chunk_and_rings_per_batch():
    g = guestio.ring_guest(guestio.sample_message(100), chunk=40, per_doorbell=2)
    text = "\n".join(g.lines())
    assert text.count("mov dword [0x2008], 0x28") == 1 and "mov dword [0x2028], 0x14" in text  # 40, 40, 20
    assert text.count("out dx, al") == 2 and text.rstrip().endswith("hlt")
    mmio = guestio.ring_guest(b"x" * 10, doorbell="mmio")
    assert "mov es:[0], al" in "\n".join(mmio.lines()) and "out dx" not in "\n".join(mmio.lines())


def test_fault_injection_puts_the_given_descriptor_in_the_code():
    g = guestio.ring_guest(b"abc", descriptor=(0x1_0000_0000, 7))
    assert struct.pack("<HI", 0x2000, 0) in g.code and struct.pack("<HI", 0x2004, 1) in g.code
    assert struct.pack("<HI", 0x2008, 7) in g.code


@pytest.mark.parametrize(
    ("path", "n", "chunk", "batch", "want"),
    [
        ("serial", 1, 4096, 16, {"IO": 1, "HLT": 1}),
        ("serial", 4096, 4096, 16, {"IO": 4096, "HLT": 1}),
        ("ring-port", 4096, 4096, 16, {"IO": 1, "HLT": 1}),
        ("ring-port", 4096, 256, 1, {"IO": 16, "HLT": 1}),
        ("ring-port", 4096, 1024, 3, {"IO": 2, "HLT": 1}),
        ("ring-mmio", 100, 40, 2, {"MMIO": 2, "HLT": 1}),
        ("ring-ioeventfd", 100, 10, 1, {"HLT": 1}),
    ],
)
def test_expected_exits(path, n, chunk, batch, want):
    assert guestio.expected_exits(path, n, chunk, batch) == want


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: guestio.serial_guest(b""), "1 to 4096 bytes"),
        (lambda: guestio.serial_guest(b"x" * 4097), "got 4097 bytes"),
        (lambda: guestio.serial_guest("text"), "the message must be"),
        (
            lambda: guestio.ring_guest(b"x" * 1000, chunk=10),
            "needs 100 descriptors, but the ring has 16: use chunks of at least 63",
        ),
        (lambda: guestio.ring_guest(b"x", per_doorbell=17), "descriptors per doorbell must be at most 16"),
        (lambda: guestio.ring_guest(b"x", doorbell="irq"), "doorbell must be one of port, mmio"),
        (lambda: guestio.expected_exits("pipe", 3), "path must be one of"),
        (lambda: guestio.sample_message(0), "at least 1"),
    ],
)
def test_bad_guest_inputs_get_clear_messages(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()


@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hostile_message_lengths(value, words):
    with pytest.raises(ValueError, match=words):
        guestio.sample_message(value)


def test_simulated_run_delivers_the_message_with_the_model_counts():
    run = guestio.simulated_run("serial", b"hello")
    assert run.received == b"hello" and run.exits == {"IO": 5, "HLT": 1} and run.total_exits == 6
    assert not run.live and run.run_ms is None


def test_dirty_guest_and_expected_pages():
    g = guestmem.dirty_guest(5, 2)
    assert "mov es:[0], al" in "\n".join(g.lines()) and g.code.endswith(b"\xf4")
    assert guestmem.expected_dirty(5, 2) == ((0, 1, 2, 3, 4), (0, 1, 2, 3, 4))
    with pytest.raises(ValueError, match="larger than the guest's data memory: it has 128 pages"):
        guestmem.dirty_guest(129, 1)
    with pytest.raises(ValueError, match="rounds must be at most 1000"):
        guestmem.expected_dirty(1, 1001)


def test_dirty_run_rates():
    run = guestmem.DirtyRun(32, 2, ((1,) * 32, (1,) * 32), (1.0, 1.0), {"IO": 2, "HLT": 1}, True, "halted")
    assert run.counts == (32, 32) and run.working_set_mb == pytest.approx(32 * 4096 / 1e6)
    assert run.dirty_rate_mb_s == pytest.approx(64 * 4096 / 0.002 / 1e6)
    assert guestmem.simulated_dirty(3, 1).dirty_rate_mb_s is None


def test_short_jumps_out_of_range_are_refused():
    asm = Asm().label("top")
    for _ in range(70):
        asm("90 90", "nop; nop")
    asm.jump(0xEB, "top", "jmp top")
    with pytest.raises(ValueError, match="too far for a short jump"):
        asm.build()
