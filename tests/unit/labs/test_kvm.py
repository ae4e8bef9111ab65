"""The page-long hypervisor on /dev/kvm: structures, guest code, exits, timeouts, clean-up."""

from __future__ import annotations

import ctypes
import os
import re
import signal
import threading
import time

import pytest

from widgets.labs import kvm, kvmabi
from widgets.labs.kvm import KvmStatus, KvmUnavailable, kvm_status, run_guest
from widgets.models import guest
from widgets.models.guest import GuestRun, build_guest
from widgets.models.toyprograms import simulate_kvm_guest

STATUS = kvm_status()


needs_kvm = pytest.mark.skipif(not STATUS.usable, reason=f"KVM is not usable: {STATUS.reason}")


JMP_SELF = bytes.fromhex("EBFE")  # jmp $ : loops forever without a single exit


OUT_FOREVER = bytes.fromhex("BAF803 B041 EE EBFD")  # mov dx,0x3f8; mov al,'A'; out; jmp back


TOUCH_UNMAPPED = bytes.fromhex("B80020 8ED8 A20000 F4")  # ds=0x2000; mov [0],al: beyond RAM


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take kvm_status's Linux path even on macOS, to test it with fake devices."""
    monkeypatch.setattr(kvm, "_PLATFORM", "linux")


def _catch(call) -> list[BaseException]:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed back to the test
        return [exc]
    return []


def test_struct_layouts_match_the_kernel_headers():
    assert ctypes.sizeof(kvmabi.Regs) == 144
    assert ctypes.sizeof(kvmabi.Sregs) == 312
    assert ctypes.sizeof(kvmabi.Segment) == 24 and ctypes.sizeof(kvmabi.Dtable) == 16
    assert ctypes.sizeof(kvmabi.MemoryRegion) == 32
    assert ctypes.sizeof(kvmabi.DirtyLog) == 16 and ctypes.sizeof(kvmabi.IoEventFd) == 64
    assert kvmabi.RunHeader.exit_reason.offset == 8
    assert kvmabi.RunHeader.exit.offset == 32  # the exit union
    assert kvmabi.RunIo.data_offset.offset == 8
    assert (kvmabi.RunMmio.data.offset, kvmabi.RunMmio.len.offset, kvmabi.RunMmio.is_write.offset) == (8, 16, 20)


def test_ioctl_numbers_match_the_kernel_headers():
    assert kvm.KVM_GET_API_VERSION == 0xAE00
    assert kvm.KVM_CREATE_VM == 0xAE01
    assert kvm.KVM_GET_VCPU_MMAP_SIZE == 0xAE04
    assert kvm.KVM_CREATE_VCPU == 0xAE41
    assert kvm.KVM_SET_USER_MEMORY_REGION == 0x4020AE46
    assert kvm.KVM_RUN == 0xAE80
    assert kvm.KVM_SET_REGS == 0x4090AE82
    assert kvm.KVM_GET_SREGS == 0x8138AE83
    assert kvm.KVM_SET_SREGS == 0x4138AE84
    assert kvmabi.KVM_GET_DIRTY_LOG == 0x4010AE42  # _IOW(KVMIO, 0x42, struct kvm_dirty_log)
    assert kvmabi.KVM_IOEVENTFD == 0x4040AE79  # _IOW(KVMIO, 0x79, struct kvm_ioeventfd)
    assert kvmabi.KVM_GET_STATS_FD == 0xAECE  # _IO(KVMIO, 0xce)


def test_status_on_this_machine_is_well_formed():
    assert isinstance(STATUS, KvmStatus) and isinstance(STATUS.usable, bool) and STATUS.reason


def test_status_missing_device(tmp_path, linux):
    status = kvm_status(str(tmp_path / "kvm"))
    assert not status.usable
    assert "does not exist" in status.reason
    assert "modprobe kvm_intel" in status.how_to_enable and "nested" in status.how_to_enable


def test_status_permission_denied(tmp_path, monkeypatch, linux):
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if str(path) == str(device):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    status = kvm_status(str(device))
    assert not status.usable and "permission denied" in status.reason
    assert "sudo usermod -aG kvm $USER" in status.how_to_enable


def test_status_not_a_kvm_device(tmp_path, linux):
    pytest.importorskip("fcntl", reason="Windows has no fcntl (nor KVM)")
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    status = kvm_status(str(device))
    assert not status.usable and "is not a KVM device" in status.reason


def test_status_api_version_mismatch(tmp_path, monkeypatch, linux):
    fcntl = pytest.importorskip("fcntl", reason="Windows has no fcntl (nor KVM)")
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    monkeypatch.setattr(fcntl, "ioctl", lambda *args: 11)
    status = kvm_status(str(device))
    assert not status.usable and "API version is 11" in status.reason and "12" in status.reason


def test_status_on_macos(monkeypatch):
    monkeypatch.setattr(kvm, "_PLATFORM", "darwin")
    status = kvm_status()
    assert not status.usable
    assert "Linux kernel feature" in status.reason and "simulator" in status.reason


@pytest.mark.parametrize("device", [None, "", "/dev/\0kvm", "/proc/nonexistent/x/y"])
def test_status_never_raises(device, linux):
    status = kvm_status(device)  # type: ignore[arg-type]
    assert isinstance(status, KvmStatus) and not status.usable and status.reason


def test_run_guest_without_kvm_raises_kvm_unavailable(tmp_path, linux):
    with pytest.raises(KvmUnavailable, match="does not exist") as caught:
        run_guest(device=str(tmp_path / "kvm"))
    assert isinstance(caught.value, RuntimeError)
    assert caught.value.status.usable is False


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"code": b""}, "code must be 1 to 61440 bytes"),
        ({"code": "F4"}, "code must be"),
        ({"code": b"\xf4" * 0xF001}, "code must be 1 to 61440 bytes"),
        ({"timeout_s": 0}, "timeout_s must be a positive number of seconds"),
        ({"timeout_s": -1}, "got -1"),
        ({"timeout_s": float("nan")}, "timeout_s"),
        ({"timeout_s": float("inf")}, "timeout_s"),
        ({"timeout_s": 61}, "at most 60"),
        ({"timeout_s": True}, "timeout_s"),
        ({"timeout_s": "2"}, "timeout_s"),
        ({"max_exits": 0}, "max_exits must be a whole number from 1"),
        ({"max_exits": True}, "max_exits"),
        ({"max_exits": 2.5}, "max_exits"),
    ],
)
def test_run_guest_refuses_hostile_inputs(kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        run_guest(**kwargs)


@pytest.mark.live
@needs_kvm
def test_default_guest_prints_its_message_with_one_exit_per_byte():
    message = "Hello from a KVM guest!\n"
    run = run_guest()
    assert run.output == message
    assert run.exits == {"IO": len(message), "HLT": 1}
    assert run.total_exits == len(message) + 1
    assert run.halted and run.stopped_reason == "halted" and run.simulated is False
    assert run.log[0] == "exit #1: IO out port 0x3f8 byte 0x48 'H'"
    assert run.log[-1] == f"exit #{len(message) + 1}: HLT: the guest halted"
    assert run.setup_ms > 0 and run.run_ms > 0 and run.total_ms >= run.setup_ms + run.run_ms


@pytest.mark.live
@needs_kvm
@pytest.mark.parametrize(
    ("a", "b", "shown"), [(0, 0, "0"), (4, 5, "9"), (7, 8, "15"), (99, 1, "100"), (200, 55, "255"), (10, 0, "10")]
)
def test_the_guest_adds_and_prints_in_decimal(a, b, shown):
    run = run_guest(build_guest("sum=", add=(a, b)))
    assert run.output == f"sum={shown}"
    assert run.exits == {"IO": 4 + len(shown), "HLT": 1}


@pytest.mark.live
@needs_kvm
def test_endless_loop_without_exits_is_stopped_by_the_timeout():
    handler_before = signal.getsignal(signal.SIGALRM)
    start = time.perf_counter()
    run = run_guest(JMP_SELF, timeout_s=0.3)
    elapsed = time.perf_counter() - start
    assert not run.halted
    assert run.stopped_reason.startswith("timed out after 0.3 s")
    assert run.run_ms >= 250 and elapsed < 3.0
    assert "HLT" not in run.exits
    assert signal.getsignal(signal.SIGALRM) is handler_before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.live
@needs_kvm
def test_an_earlier_alarm_and_handler_survive_a_run():
    fired = []

    def handler(signum, frame):
        fired.append(signum)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        run_guest(build_guest("ok"))
        assert signal.getsignal(signal.SIGALRM) is handler
        assert 25.0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30.0
        assert fired == []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.live
@needs_kvm
def test_a_guest_that_exits_forever_stops_at_max_exits():
    run = run_guest(OUT_FOREVER, max_exits=500)
    assert run.exits == {"IO": 500} and run.output == "A" * 500
    assert not run.halted
    assert run.stopped_reason == "exit limit reached after 500 exits to user space: the guest never halted"
    assert len(run.log) == guest.LOG_LIMIT


@pytest.mark.live
@needs_kvm
def test_an_unexpected_exit_is_named():
    run = run_guest(TOUCH_UNMAPPED)
    assert not run.halted
    assert run.exits == {"MMIO": 1}
    assert "KVM_EXIT_MMIO" in run.stopped_reason


@pytest.mark.live
@needs_kvm
def test_no_file_descriptor_or_mapping_leaks():
    run_guest(build_guest("warm-up"))
    before = open_fds()
    for _ in range(3):
        run_guest(build_guest("again"))
    run_guest(JMP_SELF, timeout_s=0.05)
    run_guest(OUT_FOREVER, max_exits=10)
    run_guest(TOUCH_UNMAPPED)
    assert open_fds() == before


@pytest.mark.live
@needs_kvm
def test_run_guest_needs_the_main_thread():
    errors: list[BaseException] = []
    worker = threading.Thread(target=lambda: errors.extend(_catch(run_guest)))
    worker.start()
    worker.join(10)
    assert len(errors) == 1 and isinstance(errors[0], KvmUnavailable)
    assert "main thread" in str(errors[0])


@pytest.mark.live
@needs_kvm
def test_the_simulator_reports_the_same_shape_as_the_real_lab():
    message = "Same lab\n"
    real, simulated = run_guest(build_guest(message)), simulate_kvm_guest(message)
    assert isinstance(simulated, GuestRun) and simulated.simulated and not real.simulated
    assert (simulated.output, simulated.exits, simulated.total_exits, simulated.halted) == (
        real.output,
        real.exits,
        real.total_exits,
        real.halted,
    )
    assert simulated.log == real.log
