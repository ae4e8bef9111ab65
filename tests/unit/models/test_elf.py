"""The image's entrypoint: a hand-assembled static ELF for x86-64 and aarch64, run for real where possible."""

from __future__ import annotations

import platform
import shutil
import struct
import subprocess

import pytest

from widgets.models import elf
from widgets.models.hello import STRINGS, parse_report


@pytest.mark.parametrize("arch", elf.ARCHES)
def test_the_elf_header_says_a_static_64_bit_executable_for_its_machine(arch):
    e = elf.entrypoint(arch)
    assert e.elf[:8] == b"\x7fELF\x02\x01\x01\x00"
    e_type, machine, _, entry, phoff = struct.unpack_from("<HHIQQ", e.elf, 16)
    assert (e_type, machine, entry, phoff) == (2, elf.MACHINE[arch], elf.LOAD_ADDRESS + elf.HEADERS, 64)
    p_type, flags, offset, vaddr, _, filesz, memsz = struct.unpack_from("<IIQQQQQ", e.elf, 64)
    assert (p_type, flags, offset, vaddr, filesz, memsz) == (1, 5, 0, elf.LOAD_ADDRESS, len(e.elf), len(e.elf))
    assert struct.unpack_from("<II", e.elf, 120) == (0x6474E551, 6)  # PT_GNU_STACK, no executable stack
    assert e.elf[elf.HEADERS :] == e.code and len(e.elf) < 2048
    assert e.listing[0].address == e.entry and e.listing[0].label == "_start"
    assert sum(len(line.data) for line in e.listing) <= len(e.code)
    assert e.digest == elf.entrypoint(arch).digest  # deterministic


def test_the_listing_explains_every_system_call():
    lines = [line for line in elf.entrypoint("x86_64").listing if line.text == "syscall"]
    assert lines and all("system call" in line.note for line in lines)
    assert any("getdents64" in line.note for line in lines)


OBJDUMP = {"x86_64": ("objdump", "i386:x86-64"), "aarch64": ("aarch64-linux-gnu-objdump", "aarch64")}


@pytest.mark.parametrize("arch", elf.ARCHES)
def test_a_disassembler_nobody_here_wrote_finds_the_same_instructions(arch, tmp_path):
    tool, machine = OBJDUMP[arch]
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (binutils; .ci/run installs it)")
    e = elf.entrypoint(arch)
    (tmp_path / "code").write_bytes(e.code)
    out = subprocess.run(
        [tool, "-D", "-b", "binary", "-m", machine, f"--adjust-vma={e.entry:#x}", str(tmp_path / "code")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    theirs = [int(ln.split(":")[0], 16) for ln in out.splitlines() if ":\t" in ln and ln.count("\t") >= 2]
    ours = [line.address for line in e.listing if not line.text.startswith('"')]
    assert theirs[: len(ours)] == ours  # the same instruction boundaries, every one
    if arch == "aarch64":
        assert "udf" not in out.split("svc")[0]  # no undefined word before the first system call


def run(argv: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False, cwd=cwd)


def emulator(arch: str) -> list[str] | None:
    native = {"x86_64": ("x86_64", "amd64"), "aarch64": ("aarch64", "arm64")}[arch]
    if platform.machine().lower() in native:
        return []
    qemu = shutil.which(f"qemu-{arch}")
    return [qemu] if qemu else None


@pytest.mark.parametrize("arch", elf.ARCHES)
def test_the_program_runs_and_reports_through_raw_system_calls(arch, tmp_path):
    prefix = emulator(arch)
    if prefix is None or platform.system() != "Linux":
        pytest.skip(f"cannot run {arch} code here (no such CPU and no qemu-{arch}; .ci/run installs qemu-user)")
    exe = tmp_path / "hello"
    exe.write_bytes(elf.entrypoint(arch).elf)
    exe.chmod(0o755)
    proc = run([*prefix, str(exe)], tmp_path)
    report = parse_report(proc.stdout)
    assert proc.returncode == 0 and report["banner"] == STRINGS["s_banner"].strip().replace(
        "{arch}", {"x86_64": "x86-64", "aarch64": "aarch64"}[arch]
    )
    assert isinstance(report["pid"], int) and report["hostname"] == platform.node()
    assert "tmp" in report["root"] and "proc" in report["root"]
    proc = run([*prefix, str(exe), str(tmp_path / "note.txt")], tmp_path)
    assert (tmp_path / "note.txt").read_text() == STRINGS["s_content"] and "ok" in proc.stdout
    proc = run([*prefix, str(exe), str(tmp_path / "missing" / "x")], tmp_path)
    assert parse_report(proc.stdout)["write"]["result"] == "error 2"  # ENOENT, printed as errno
    proc = run([*prefix, str(exe), "spin"], tmp_path)
    assert proc.returncode == 0 and parse_report(proc.stdout)["rounds"] > 0


def test_arch_names_and_bad_input():
    assert elf.arch_for("AMD64") == "x86_64" and elf.arch_for("arm64") == "aarch64" and elf.arch_for("riscv64") is None
    with pytest.raises(ValueError, match="arch"):
        elf.entrypoint("riscv64")
    with pytest.raises(ValueError, match="text"):
        parse_report(b"pid: 1")
    assert parse_report("pid: 1\nhostname: error 1\n/: error 1\nMiB 3\n") == {
        "other": [],
        "pid": 1,
        "hostname": "error 1",
        "root": "error 1",
        "mib": 3,
    }
