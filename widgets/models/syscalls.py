"""System-call numbers by name for the two architectures the course's container runs on (a practical subset).

x86-64 numbers are those of ``arch/x86/entry/syscalls/syscall_64.tbl``; aarch64 uses the asm-generic table
(``include/uapi/asm-generic/unistd.h``), which has no ``open``, ``mkdir``, ``fork``...: only their ``*at``
forms. Copied from the Linux UAPI headers (Debian's linux-libc-dev); a test checks them against the
installed headers where they exist. Pure data.
"""

from __future__ import annotations

# fmt: off
X86_64: dict[str, int] = {
    "read": 0, "write": 1, "open": 2, "close": 3, "stat": 4, "fstat": 5, "lstat": 6, "poll": 7, "lseek": 8,
    "mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12, "ioctl": 16, "access": 21, "pipe": 22, "select": 23,
    "sched_yield": 24, "mremap": 25, "madvise": 28, "dup": 32, "dup2": 33, "pause": 34, "nanosleep": 35,
    "getpid": 39, "sendfile": 40, "socket": 41, "connect": 42, "accept": 43, "sendto": 44, "recvfrom": 45,
    "bind": 49, "listen": 50, "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "exit": 60, "wait4": 61,
    "kill": 62, "uname": 63, "fcntl": 72, "flock": 73, "fsync": 74, "truncate": 76, "ftruncate": 77, "getdents": 78,
    "getcwd": 79, "chdir": 80, "fchdir": 81, "rename": 82, "mkdir": 83, "rmdir": 84, "creat": 85, "link": 86,
    "unlink": 87, "symlink": 88, "readlink": 89, "chmod": 90, "fchmod": 91, "chown": 92, "fchown": 93, "lchown": 94,
    "umask": 95, "gettimeofday": 96, "getrlimit": 97, "ptrace": 101, "getuid": 102, "syslog": 103, "getgid": 104,
    "setuid": 105, "setgid": 106, "geteuid": 107, "getegid": 108, "setpgid": 109, "getppid": 110, "setsid": 112,
    "setgroups": 116, "capget": 125, "capset": 126, "mknod": 133, "personality": 135, "statfs": 137,
    "pivot_root": 155, "prctl": 157, "chroot": 161, "sync": 162, "acct": 163, "settimeofday": 164, "mount": 165,
    "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "init_module": 175, "delete_module": 176, "quotactl": 179, "getdents64": 217,
    "clock_settime": 227, "clock_gettime": 228, "exit_group": 231, "kexec_load": 246, "add_key": 248,
    "request_key": 249, "keyctl": 250, "openat": 257, "mkdirat": 258, "mknodat": 259, "fchownat": 260,
    "unlinkat": 263, "renameat": 264, "linkat": 265, "symlinkat": 266, "readlinkat": 267, "fchmodat": 268,
    "faccessat": 269, "unshare": 272, "perf_event_open": 298, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "finit_module": 313, "seccomp": 317,
    "getrandom": 318, "memfd_create": 319, "bpf": 321, "userfaultfd": 323, "io_uring_setup": 425, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsmount": 432, "clone3": 435,
}
AARCH64: dict[str, int] = {
    "getcwd": 17, "dup": 23, "fcntl": 25, "ioctl": 29, "flock": 32, "mknodat": 33, "mkdirat": 34, "unlinkat": 35,
    "symlinkat": 36, "linkat": 37, "renameat": 38, "umount2": 39, "mount": 40, "pivot_root": 41, "statfs": 43,
    "truncate": 45, "ftruncate": 46, "faccessat": 48, "chdir": 49, "fchdir": 50, "chroot": 51, "fchmod": 52,
    "fchmodat": 53, "fchownat": 54, "fchown": 55, "openat": 56, "close": 57, "quotactl": 60, "getdents64": 61,
    "lseek": 62, "read": 63, "write": 64, "sendfile": 71, "readlinkat": 78, "fstat": 80, "sync": 81, "fsync": 82,
    "acct": 89, "capget": 90, "capset": 91, "personality": 92, "exit": 93, "exit_group": 94, "unshare": 97,
    "nanosleep": 101, "kexec_load": 104, "init_module": 105, "delete_module": 106, "clock_settime": 112,
    "clock_gettime": 113, "syslog": 116, "ptrace": 117, "sched_yield": 124, "kill": 129, "reboot": 142,
    "setgid": 144, "setuid": 146, "setpgid": 154, "setsid": 157, "setgroups": 159, "uname": 160, "sethostname": 161,
    "setdomainname": 162, "getrlimit": 163, "umask": 166, "prctl": 167, "gettimeofday": 169, "settimeofday": 170,
    "getpid": 172, "getppid": 173, "getuid": 174, "geteuid": 175, "getgid": 176, "getegid": 177, "socket": 198,
    "bind": 200, "listen": 201, "accept": 202, "connect": 203, "sendto": 206, "recvfrom": 207, "brk": 214,
    "munmap": 215, "mremap": 216, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220, "execve": 221,
    "mmap": 222, "swapon": 224, "swapoff": 225, "mprotect": 226, "madvise": 233, "perf_event_open": 241,
    "wait4": 260, "name_to_handle_at": 264, "open_by_handle_at": 265, "setns": 268, "process_vm_readv": 270,
    "process_vm_writev": 271, "finit_module": 273, "seccomp": 277, "getrandom": 278, "memfd_create": 279,
    "bpf": 280, "userfaultfd": 282, "io_uring_setup": 425, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsmount": 432, "clone3": 435,
}
# fmt: on

TABLES = {"x86_64": X86_64, "aarch64": AARCH64}
