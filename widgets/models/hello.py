"""What the image's entrypoint ``/bin/hello`` does, for every architecture it is assembled for.

It is a static program of a few hundred bytes that talks to the kernel only through system calls (no libc,
no dynamic loader, nothing from the host). Its first argument picks a mode:

* none: print a banner, its PID (``getpid``), its hostname (``uname``) and the names in ``/`` (``openat`` +
  ``getdents64``), then ``exit_group(0)``;
* a path starting with ``/``: first create that file (``openat`` with ``O_CREAT``) and write one line into it
  (copy-on-write: the file lands in the container's upper directory), then report as above;
* ``eat``: ``mmap`` 1 MiB at a time and touch every page, printing ``MiB N`` each time, up to
  :data:`MODES` ``["eat_limit_mib"]`` (a memory limit ends it earlier with an OOM kill);
* ``spin``: burn CPU for :data:`MODES` ``["spin_ms"]`` of wall-clock time and print how many rounds it did
  (a CPU quota throttles it: fewer rounds).

A refused system call prints ``error N`` (N = errno), so a seccomp rule shows in the output.
"""

from __future__ import annotations

#: System-call numbers the program uses (x86-64: arch/x86/entry/syscalls/syscall_64.tbl; aarch64: the
#: asm-generic table, include/uapi/asm-generic/unistd.h).
SYSCALLS = {
    "x86_64": {
        "write": 1,
        "close": 3,
        "mmap": 9,
        "getpid": 39,
        "exit": 60,
        "uname": 63,
        "getdents64": 217,
        "clock_gettime": 228,
        "exit_group": 231,
        "openat": 257,
    },
    "aarch64": {
        "getdents64": 61,
        "openat": 56,
        "close": 57,
        "write": 64,
        "exit": 93,
        "exit_group": 94,
        "clock_gettime": 113,
        "uname": 160,
        "getpid": 172,
        "mmap": 222,
    },
}

MODES = {"eat_limit_mib": 512, "spin_ms": 500, "spin_round": 100_000}

STRINGS = {
    "s_banner": "hello from /bin/hello, a static {arch} program from the image (no libc, no host files)\n",
    "s_pid": "pid: ",
    "s_host": "hostname: ",
    "s_root": "/: ",
    "s_slash": "/",
    "s_space": " ",
    "s_nl": "\n",
    "s_error": "error ",
    "s_write": "write ",
    "s_colon": ": ",
    "s_ok": "ok\n",
    "s_content": "written inside the container\n",
    "s_eat": "eating memory: 1 MiB at a time, every page touched\n",
    "s_mib": "MiB ",
    "s_mmap": "mmap: ",
    "s_spin": "spinning: busy rounds for a fixed wall-clock time\n",
    "s_rounds": "rounds ",
    "s_clock": "clock_gettime: ",
}


def parse_report(text: str) -> dict[str, object]:
    """The lines of a report run as a dict: ``pid``, ``hostname``, ``root`` (names), ``write``, ``mib``,
    ``rounds``, ``banner``; a refused call's field holds ``"error N"``. Unknown lines are kept in ``other``."""
    if not isinstance(text, str):
        raise ValueError(f"text must be the program's output as text, got {type(text).__name__}")
    out: dict[str, object] = {"other": []}
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        if line.startswith("hello from "):
            out["banner"] = line
        elif key in ("pid", "hostname"):
            out[key] = int(value) if value.isdigit() else value
        elif key == "/":
            out["root"] = value.split() if not value.startswith("error ") else value
        elif line.startswith("/:"):
            out["root"] = []
        elif key.startswith("write "):
            out["write"] = {"path": key[6:], "result": value}
        elif line.startswith("MiB "):
            out["mib"] = int(line[4:]) if line[4:].isdigit() else line[4:]
        elif line.startswith("rounds "):
            out["rounds"] = int(line[7:]) if line[7:].isdigit() else line[7:]
        elif line.startswith(("mmap: ", "clock_gettime: ")):
            out[key] = value
        else:
            out["other"].append(line)  # type: ignore[union-attr]
    return out
