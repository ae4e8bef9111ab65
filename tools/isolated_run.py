"""Run one lesson with papermill in a restricted setting (used by the tests).

``--offline``: meant to run inside a new network namespace (``unshare -rn``):
it brings up loopback only (the kernel talks to its client over 127.0.0.1),
proves that nothing else is reachable, then runs the lesson.
Run as another user (the tests do that with ``subprocess(user=...)``), it shows
that a lesson needs no root, no /dev/kvm and no cgroup write access.
Usage: python -m tools.isolated_run LESSON OUT [--offline] [-p NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import socket
import struct
from pathlib import Path

from .nb import run_papermill

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> None:
    """Bring up 'lo' in this (new) network namespace."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def assert_offline() -> list[str]:
    """The interfaces here; raise if any address outside loopback is reachable."""
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise SystemExit(f"not isolated: interfaces {names}")
    for host in ("192.0.2.1", "8.8.8.8"):  # TEST-NET-1 and a public resolver: both must be unreachable
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((host, 53))
            except OSError:
                continue
        raise SystemExit(f"not isolated: a route to {host} exists")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lesson", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("-p", dest="params", action="append", default=[], help="NAME=JSON_VALUE")
    args = parser.parse_args()
    if args.offline:
        loopback_up()
        print("interfaces:", assert_offline())
    params = {k: json.loads(v) for k, v in (p.split("=", 1) for p in args.params)}
    run_papermill(args.lesson, args.out, params)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
