"""The runner of a learner's guest: live on /dev/kvm in a child process (timeout, exit bound, nothing left
behind), the model where KVM is not usable, and a clear sentence for every way a run can end."""

from __future__ import annotations

import ast
import ctypes
import time
from pathlib import Path

import pytest

from tests.procs import processes_with, wait_until_gone
from widgets.labs import kvmabi, kvmedit
from widgets.labs.base import LabFailed
from widgets.labs.kvm import kvm_status
from widgets.models import guestprog

STATUS = kvm_status()
needs_kvm = [pytest.mark.live, pytest.mark.skipif(not STATUS.usable, reason=f"KVM is not usable: {STATUS.reason}")]
CHILD = Path(kvmedit.__file__).parent / "children" / "kvmguest.py"

COUNTDOWN = "mov dx, 0x3f8\nmov al, '5'\nagain: out dx, al\ndec al\ncmp al, '0'\njnz again\nhlt"
SPIN = "l: jmp l"
PRINT_FOREVER = "mov dx, 0x3f8\nmov al, 'A'\nl: out dx, al\njmp l"
NO_HLT = "mov dx, 0x3f8\nmov al, 'A'\nout dx, al"


def _child_constants() -> dict[str, int]:
    """The child's top-level ``NAME = number`` and ``A, B = x, y`` assignments, read with ast."""
    found = {}
    for node in ast.parse(CHILD.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple | ast.Name):
            names = node.targets[0].elts if isinstance(node.targets[0], ast.Tuple) else [node.targets[0]]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for n, v in zip(names, values, strict=False):
                if isinstance(n, ast.Name) and isinstance(v, ast.Constant) and isinstance(v.value, int):
                    found[n.id] = v.value
    return found


def test_the_child_uses_the_kernel_abi_of_kvmabi():
    """The stand-alone child repeats the ioctl numbers and sizes: they must be the ones kvmabi checks."""
    child = _child_constants()
    for name in (
        "KVM_GET_API_VERSION",
        "KVM_CREATE_VM",
        "KVM_GET_VCPU_MMAP_SIZE",
        "KVM_CREATE_VCPU",
        "KVM_RUN",
        "KVM_SET_USER_MEMORY_REGION",
        "KVM_SET_REGS",
        "KVM_GET_SREGS",
        "KVM_SET_SREGS",
    ):
        assert child[name] == getattr(kvmabi, name), name
    assert child["SREGS_SIZE"] == ctypes.sizeof(kvmabi.Sregs)
    assert child["FAULT_PORT"] == guestprog.FAULT_PORT and child["LOAD"] == 0x1000
    assert kvmabi.ioc(2, 0x81, ctypes.sizeof(kvmabi.Regs)) == 0x8090AE81  # KVM_GET_REGS, used in the child
    assert "0x8090AE81" in CHILD.read_text()


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_good_code_prints_and_halts(live):
    result = kvmedit.run_program(COUNTDOWN, live=live)
    r = result.run
    assert r.output == "54321" and r.exits == {"IO": 5, "HLT": 1} and r.total_exits == 6 and r.stopped == "halted"
    assert r.live is (live != "off")
    words = kvmedit.explain(result)
    assert "printed '54321', 6 exits to user space (IO 5, HLT 1)" in words and "clean stop" in words
    if live == "off":
        assert "not KVM: nothing is measured" in words and "live='off'" in result.why
    else:
        assert "/dev/kvm" in words and "measured here" in words and r.run_ms > 0
        if result.backend == "kvm_pvm":
            assert "KVM back end that needs no VT-x" in words


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_machine_code_as_bytes_runs_the_same(live):
    code = guestprog.assemble(COUNTDOWN).code
    assert kvmedit.run_program(code, live=live).run.output == "54321"


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_code_that_runs_off_its_end_is_stopped_and_explained(live):
    r = kvmedit.run_program(NO_HLT, live=live)
    assert r.run.stopped == "fault" and r.run.fault["vector"] == 6 and r.run.fault["ip"] == 0x1006
    assert r.run.output == "A" and r.run.exits == {"IO": 2}  # the letter, then the stub's report
    assert "#UD, invalid opcode at 0x1006, just past the last byte of your code" in kvmedit.explain(r)


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_invalid_bytes_fault(live):
    r = kvmedit.run_program(bytes.fromhex("0F0B"), live=live)
    assert r.run.stopped == "fault" and r.run.fault["vector"] == 6 and "#UD" in kvmedit.explain(r)


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_printing_forever_hits_the_exit_bound(live):
    r = kvmedit.run_program(PRINT_FOREVER, live=live, max_exits=200)
    assert r.run.stopped == "exit-limit" and r.run.exits == {"IO": 200} and r.run.output == "A" * 200
    assert "never halted" in kvmedit.explain(r)


@pytest.mark.parametrize("live", ["off", pytest.param("auto", marks=needs_kvm)])
def test_output_is_bounded(live):
    r = kvmedit.run_program(PRINT_FOREVER, live=live, max_exits=5000)
    assert len(r.run.output) == kvmedit.MAX_OUTPUT and "… (1000 characters)" in kvmedit.explain(r)


@pytest.mark.parametrize("mark", [pytest.param(0, marks=needs_kvm)])
def test_a_guest_that_never_exits_is_stopped_by_the_timeout_and_leaves_nothing(mark):
    start = time.monotonic()
    r = kvmedit.run_program(SPIN, live="on", timeout_s=0.5)
    assert time.monotonic() - start < 5
    assert r.live and r.run.stopped == "timeout" and r.run.total_exits == 0 and r.run.run_ms >= 400
    assert "Stopped by the timeout" in kvmedit.explain(r)
    assert wait_until_gone(lambda: processes_with(kvmedit.MARKER)) == []


def test_a_child_that_hangs_is_killed_and_the_model_answers(monkeypatch):
    """If the child itself outlives its outer timeout, its process group is killed and the model runs."""

    def hang(program, params, timeout_s, *, marker):
        raise LabFailed("the lab's child did not finish within the timeout of 3.5 s; its process group was killed")

    monkeypatch.setattr(kvmedit, "run_child", hang)
    monkeypatch.setattr(kvmedit, "use_live", lambda live, cap: (True, "Live on this machine: test."))
    r = kvmedit.run_program(COUNTDOWN)
    assert not r.live and r.run.output == "54321" and "showing the model instead" in r.why


def test_the_model_stops_a_spinning_guest():
    r = kvmedit.run_program(SPIN, live="off")
    assert r.run.stopped == "step-limit" and "the model's step bound" in kvmedit.explain(r)


@pytest.mark.parametrize(
    ("program", "words"),
    [
        (42, "must be assembly text"),
        (None, "must be assembly text"),
        (["hlt"], "must be assembly text"),
        ("", "empty"),
        (b"", "1 to 1024 bytes"),
        (b"\x90" * 2000, "1 to 1024 bytes"),
        ("nop\n" * 1000, "too long"),
        ("mov al, 999", "does not fit"),
    ],
)
def test_bad_programs_are_refused_with_a_sentence(program, words):
    with pytest.raises(ValueError, match=words):
        kvmedit.run_program(program, live="off")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"live": "maybe"}, "live"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 100}, "timeout_s"),
        ({"max_exits": 0}, "max_exits"),
        ({"max_exits": "many"}, "max_exits"),
    ],
)
def test_bad_limits_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        kvmedit.run_program(COUNTDOWN, **kwargs)


@pytest.mark.parametrize(
    ("stopped", "words"),
    [
        ("SHUTDOWN", "KVM_EXIT_SHUTDOWN (the CPU shut down: a triple fault)"),
        ("INTERNAL_ERROR", "KVM_EXIT_INTERNAL_ERROR"),
    ],
)
def test_exits_this_hypervisor_does_not_handle_are_named(stopped, words):
    guest = guestprog.assemble("hlt")
    run = guestprog.ProgramRun("", {stopped: 1}, 1, stopped, (), live=True, run_ms=0.1)
    assert words in kvmedit.explain(kvmedit.EditRun(guest, run, "test", "kvm_pvm"))
