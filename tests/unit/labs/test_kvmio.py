"""The I/O lab on /dev/kvm: exact exits per path, the ring device's checks, clean-up, timeouts, fallbacks."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from widgets.labs import kvmio
from widgets.labs.kvm import KvmUnavailable, kvm_status
from widgets.labs.kvmvm import Machine, kvm_backend
from widgets.models import guestio
from widgets.models.guestio import expected_exits, sample_message

STATUS = kvm_status()
needs_kvm = pytest.mark.skipif(not STATUS.usable, reason=f"KVM is not usable: {STATUS.reason}")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1000, 4096])
@pytest.mark.parametrize("path", guestio.PATHS)
@pytest.mark.live
@needs_kvm
def test_every_path_delivers_the_message_with_exactly_the_expected_exits(path, n):
    message = sample_message(n)
    run = kvmio.send(path, message, chunk=256 if n > 256 * 16 - 1 else 4096)
    assert run.received == message and run.halted and run.stopped_reason == "halted"
    assert run.exits == expected_exits(path, n, 256 if n > 4095 else 4096)
    if path == "serial":
        assert run.total_exits == n + 1  # one per byte, then hlt
    else:
        assert run.total_exits == (1 if path == "ring-ioeventfd" else 2) and run.doorbells == 1
    assert run.run_ms > 0 and run.total_ms >= run.run_ms and run.live


@pytest.mark.live
@needs_kvm
def test_batching_sets_the_doorbell_count():
    run = kvmio.send("ring-mmio", sample_message(4096), chunk=256, per_doorbell=3)
    assert run.exits == {"MMIO": 6, "HLT": 1} and run.doorbells == 6  # ceil(16 / 3)
    fd = kvmio.send("ring-ioeventfd", sample_message(4096), chunk=256, per_doorbell=1)
    assert fd.exits == {"HLT": 1} and fd.doorbells == 16  # signalled in the kernel, no exit


@pytest.mark.live
@needs_kvm
def test_kvm_counts_at_least_the_exits_that_reach_user_space():
    run = kvmio.send("serial", sample_message(64))
    if run.kernel is None:
        pytest.skip("this kernel has no KVM_GET_STATS_FD")
    assert run.kernel["exits"] >= run.total_exits and run.kernel["halt_exits"] == 1


@pytest.mark.parametrize(
    ("descriptor", "words"),
    [
        ((0xFFF0, 0x100), "points outside guest memory (0xfff0 + 256 bytes"),
        ((0x1_0000_0000, 10), "points outside guest memory (0x100000000 + 10 bytes"),
        ((0xFFFF_FFFF_0000_0000 >> 32 << 32, 1), "points outside guest memory"),
        ((0x4000, 0), "has length 0"),
        ((0x4000, 0xFFFF_FFFF), "has length 4294967295"),
    ],
)
@pytest.mark.parametrize("path", ["ring-port", "ring-mmio", "ring-ioeventfd"])
@pytest.mark.live
@needs_kvm
def test_a_bad_descriptor_stops_the_device_with_a_message_and_reads_nothing(path, descriptor, words):
    run = kvmio.send(path, sample_message(100), descriptor=descriptor)
    assert not run.halted and run.stopped_reason.startswith("device error: ") and words in run.stopped_reason
    assert run.received == b""


@pytest.mark.live
@needs_kvm
def test_the_device_refuses_a_guest_that_claims_more_buffers_than_the_ring_holds():
    with Machine(kvmio.SLOTS) as vm:
        vm.pack("<H", guestio.AVAIL_IDX, 40)
        assert "published 40 new buffers" in kvmio.Ring(vm).doorbell()
        vm.pack("<H", guestio.AVAIL_IDX, 1)
        vm.pack("<H", guestio.AVAIL_RING, 99)
        assert "names descriptor 99" in kvmio.Ring(vm).doorbell()
        vm.pack("<H", guestio.AVAIL_RING, 0)
        vm.pack("<QIHH", guestio.DESC_TABLE, 0x4000, 10, 1, 0)
        assert "has flags 0x1" in kvmio.Ring(vm).doorbell()


@pytest.mark.live
@needs_kvm
def test_guest_memory_is_never_read_outside_a_slot():
    with Machine(kvmio.SLOTS) as vm:
        assert vm.contains(0, 0x10000) and not vm.contains(0xFFFF, 2) and not vm.contains(-1, 1)
        with pytest.raises(ValueError, match="outside guest memory: refused, nothing read"):
            vm.read(0xFFF0, 0x20)
        with pytest.raises(ValueError, match="do not fit in guest memory"):
            vm.write(0x10000, b"x")


@pytest.mark.live
@needs_kvm
def test_no_descriptor_or_mapping_is_left_and_the_alarm_is_restored():
    kvmio.send("ring-ioeventfd", sample_message(8))
    before, handler = open_fds(), signal.getsignal(signal.SIGALRM)
    for path in guestio.PATHS:
        kvmio.send(path, sample_message(300))
    kvmio.send("ring-port", sample_message(30), descriptor=(0xFFFF, 9))
    kvmio.send("serial", sample_message(4096), max_exits=10)
    assert open_fds() == before
    assert signal.getsignal(signal.SIGALRM) is handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.live
@needs_kvm
def test_the_exit_limit_and_the_main_thread_rule():
    run = kvmio.send("serial", sample_message(100), max_exits=10)
    assert not run.halted and run.exits == {"IO": 10} and "exit limit reached after 10" in run.stopped_reason
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            kvmio.send("serial", b"x")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join(10)
    assert len(errors) == 1 and isinstance(errors[0], KvmUnavailable) and "main thread" in str(errors[0])


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"path": "pipe"}, "path must be one of"),
        ({"timeout_s": 0}, "timeout_s must be a positive number"),
        ({"max_exits": 0}, "max_exits must be a whole number"),
        ({"chunk": 1, "message": b"x" * 100}, "needs 100 descriptors"),
    ],
)
def test_send_refuses_bad_arguments(kwargs, words):
    args = {"path": "ring-port", "message": b"hello", **kwargs}
    with pytest.raises(ValueError, match=words):
        kvmio.send(args.pop("path"), args.pop("message"), **args)


def test_without_kvm_send_raises_and_the_lab_falls_back(tmp_path):
    with pytest.raises(KvmUnavailable):
        kvmio.send("serial", b"x", device=str(tmp_path / "kvm"))
    lab = kvmio.io_lab("ring-mmio", 100, 40, 2, live="off")
    assert not lab.live and "live='off'" in lab.why
    assert lab.run.exits == {"MMIO": 2, "HLT": 1} and lab.run.received == sample_message(100)


def test_the_recorded_sweep_matches_the_model():
    sweep = kvmio.recorded_sweep()
    assert not sweep.live and "recorded on 2026-12-03" in sweep.source and sweep.times_ms
    for path in sweep.paths:
        assert sweep.exits[path] == tuple(sum(expected_exits(path, n).values()) for n in sweep.sizes)
    quick, why = kvmio.io_sweep(quick=True, live="off")
    assert quick.sizes == (1, 4, 16, 64, 256, 1024, 4096) and "live='off'" in why


@pytest.mark.live
@needs_kvm
def test_a_live_sweep_checks_every_run():
    sweep, why = kvmio.io_sweep(quick=True, repeats=1)
    assert sweep.live and sweep.backend == kvm_backend()[0] and "Live on this machine" in why
    assert sweep.exits["serial"][-1] == 4097 and set(sweep.exits["ring-port"]) == {2}


def test_backend_detection(tmp_path):
    assert kvm_backend(tmp_path)[0] == "unknown"
    (tmp_path / "kvm_pvm").mkdir()
    name, meaning = kvm_backend(tmp_path)
    assert name == "kvm_pvm" and "emulates this real-mode guest" in meaning
    (tmp_path / "kvm_intel").mkdir()
    assert kvm_backend(tmp_path)[0] == "kvm_intel"
