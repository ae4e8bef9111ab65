"""Run a learner's real-mode guest on /dev/kvm and report its exits to user space.

Run by :func:`widgets.labs.kvmedit.run_program` (see :mod:`widgets.labs.children`) in a fresh interpreter, so
nothing the guest does can reach the learner's kernel process: the parent kills this child's process group if
it outlives its timeout. Parameters (JSON): ``code`` (hex), ``timeout_s``, ``max_exits``, ``max_output``.
The guest gets 64 KiB of RAM at guest-physical 0, starts at 0:0x1000 in 16-bit real mode, and this loop handles
IO (the serial port 0x3f8 is collected) and HLT; any other exit stops the run and is reported by name.
Standard library only: the ioctl numbers and structure offsets follow ``include/uapi/linux/kvm.h``, as in
:mod:`widgets.labs.kvmabi` (the tests check that the two agree).
"""

import ctypes
import fcntl
import json
import mmap
import os
import signal
import struct
import sys
import time

p = json.loads(sys.argv[2])
MEMORY, LOAD, SERIAL, STUBS, FAULT_PORT = 0x10000, 0x1000, 0x3F8, 0x500, 0xF1
KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_GET_VCPU_MMAP_SIZE = 0xAE00, 0xAE01, 0xAE04
KVM_CREATE_VCPU, KVM_RUN = 0xAE41, 0xAE80
KVM_SET_USER_MEMORY_REGION, KVM_SET_REGS = 0x4020AE46, 0x4090AE82
KVM_GET_SREGS, KVM_SET_SREGS, SREGS_SIZE = 0x8138AE83, 0x4138AE84, 312
REASONS = {0: "UNKNOWN", 1: "EXCEPTION", 2: "IO", 4: "DEBUG", 5: "HLT", 6: "MMIO", 8: "SHUTDOWN", 9: "FAIL_ENTRY"}
REASONS.update({10: "INTR", 17: "INTERNAL_ERROR"})
expired = [False]


def registers(vcpu):
    """The vCPU's general registers (KVM_GET_REGS, struct kvm_regs: rax ... r15, rip, rflags)."""
    got = bytearray(18 * 8)
    fcntl.ioctl(vcpu, 0x8090AE81, got, True)
    return struct.unpack("<18Q", got)


def main():
    code = bytes.fromhex(p["code"])
    out, log, exits, total, stopped, detail, fault = bytearray(), [], {}, 0, "", "", None
    kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    if fcntl.ioctl(kvm, KVM_GET_API_VERSION, 0) != 12:
        return {"error": "the KVM API version here is not 12"}
    vm = fcntl.ioctl(kvm, KVM_CREATE_VM, 0)
    memory = mmap.mmap(-1, MEMORY)
    memory[LOAD : LOAD + len(code)] = code
    fill = LOAD + len(code)  # after the code: UD2 (0F 0B), so running off the end faults at once
    memory[fill:MEMORY] = (b"\x0f\x0b" * MEMORY)[: MEMORY - fill]
    for vector in range(256):  # the interrupt table: every vector to a stub that reports it on FAULT_PORT
        stub = STUBS + 8 * min(vector, 32)
        memory[4 * vector : 4 * vector + 4] = struct.pack("<HH", stub, 0)
        memory[stub : stub + 5] = bytes((0xB0, vector if vector < 32 else 0xFF, 0xE6, FAULT_PORT, 0xF4))
    view = ctypes.c_char.from_buffer(memory)
    region = struct.pack("<IIQQQ", 0, 0, 0, MEMORY, ctypes.addressof(view))
    fcntl.ioctl(vm, KVM_SET_USER_MEMORY_REGION, region)
    vcpu = fcntl.ioctl(vm, KVM_CREATE_VCPU, 0)
    run = mmap.mmap(vcpu, fcntl.ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0))
    sregs = bytearray(SREGS_SIZE)
    fcntl.ioctl(vcpu, KVM_GET_SREGS, sregs, True)
    sregs[0:8], sregs[12:14] = bytes(8), bytes(2)  # cs.base = 0, cs.selector = 0
    fcntl.ioctl(vcpu, KVM_SET_SREGS, bytes(sregs))
    regs = [0] * 18
    regs[16], regs[17] = LOAD, 0x2  # rip, rflags (bit 1 is always 1)
    fcntl.ioctl(vcpu, KVM_SET_REGS, struct.pack("<18Q", *regs))
    signal.signal(signal.SIGALRM, lambda *_: expired.__setitem__(0, True))
    signal.setitimer(signal.ITIMER_REAL, p["timeout_s"], 0.05)  # repeats: a signal between two runs is not lost
    start = time.perf_counter()
    while True:
        if expired[0]:
            stopped = "timeout"
            break
        if total >= p["max_exits"]:
            stopped = "exit-limit"
            break
        try:
            fcntl.ioctl(vcpu, KVM_RUN, 0)
        except InterruptedError:
            continue
        reason = struct.unpack_from("<I", run, 8)[0]
        name = REASONS.get(reason, f"UNKNOWN_{reason}")
        exits[name], total = exits.get(name, 0) + 1, total + 1
        note = ""
        if name == "IO":
            direction, size, port, count, offset = struct.unpack_from("<BBHIQ", run, 32)
            data = run[offset : offset + size * count]
            if direction == 0:  # an "in": this device has nothing to give, the guest reads zero
                run[offset : offset + size * count] = bytes(size * count)
            if direction == 1 and port == SERIAL and len(out) < p["max_output"]:
                out += data[: p["max_output"] - len(out)]
            note = f" {'out' if direction == 1 else 'in'} port 0x{port:x} " + " ".join(f"0x{b:02x}" for b in data[:4])
            if port == FAULT_PORT and direction == 1:  # the interrupt table's stub: the CPU raised a fault
                sp = registers(vcpu)[6] & 0xFFFF
                fault = {"vector": data[0], "ip": struct.unpack_from("<H", memory, sp)[0] if sp < MEMORY - 1 else None}
                log.append(
                    f"exit #{total}: IO out port 0x{port:x}: the interrupt table's stub reports vector {data[0]}"
                )
                stopped = "fault"
                break
        elif name == "MMIO":
            address, _data, length, is_write = struct.unpack_from("<Q8sIB", run, 32)
            note = f" {'write' if is_write else 'read'} of {length} bytes at 0x{address:x}"
        elif name == "INTERNAL_ERROR":
            detail = f"suberror {struct.unpack_from('<I', run, 32)[0]}"
        elif name == "FAIL_ENTRY":
            detail = f"hardware reason 0x{struct.unpack_from('<Q', run, 32)[0]:x}"
        if len(log) < 20:
            log.append(f"exit #{total}: {name}{note}")
        if name == "HLT":
            stopped = "halted"
            break
        if name not in ("IO", "MMIO"):
            stopped = name
            break
    run_ms = (time.perf_counter() - start) * 1e3
    signal.setitimer(signal.ITIMER_REAL, 0)
    rip = registers(vcpu)[16]
    del view
    return {
        "output": out.decode("latin-1"),
        "exits": exits,
        "total_exits": total,
        "stopped": stopped,
        "detail": detail,
        "rip": rip,
        "fault": fault,
        "log": log,
        "run_ms": round(run_ms, 4),
    }


if __name__ == "__main__":
    try:
        report = main()
    except OSError as e:
        report = {"error": f"KVM refused: {e.strerror or e} (errno {e.errno})"}
    print(json.dumps(report))
