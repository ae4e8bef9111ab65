"""Record the KVM I/O sweep and the dirty-page run of lesson 01 on this machine (the labs' fallbacks).

Writes ``widgets/labs/recorded/kvm_io_sweep_<date>.json`` and ``kvm_dirty_<date>.json`` with the machine,
its KVM backend and the load average at the time, so a fallback says exactly what it shows. Run it as root
(or with access to /dev/kvm) on a quiet machine; it refuses to record where /dev/kvm is not usable.

Usage: python -m tools.record_kvm_labs [--repeats 5] [--out widgets/labs/recorded]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

from widgets.labs import kvmdirty, kvmio
from widgets.labs.kvm import kvm_status
from widgets.labs.kvmvm import kvm_backend

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, object]:
    name, meaning = kvm_backend()
    return {
        "kernel": platform.release(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "backend": name,
        "backend_meaning": meaning,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "widgets" / "labs" / "recorded")
    args = parser.parse_args()
    status = kvm_status()
    if not status.usable:
        print(f"not recording: {status.reason}")
        return 1
    today = dt.date.today().isoformat()
    sweep = kvmio.measure_sweep(kvmio.sweep_sizes(), repeats=args.repeats)
    before = machine()
    io = {
        "description": "widgets.labs.kvmio.measure_sweep: median run time (first KVM_RUN to HLT) per length, ms",
        "recorded_on": today,
        "machine": before,
        "sizes": list(sweep.sizes),
        "paths": list(sweep.paths),
        "samples": sweep.samples,
        "exits": {p: list(v) for p, v in sweep.exits.items()},
        "times_ms": {p: [round(t, 5) for t in v] for p, v in (sweep.times_ms or {}).items()},
    }
    dirty = kvmdirty.dirty_run(32, 5)
    mem = {
        "description": "widgets.labs.kvmdirty.dirty_run(32, 5): dirty pages per round and guest time per round, ms",
        "recorded_on": today,
        "machine": machine(),
        "working_set": dirty.working_set,
        "rounds": dirty.rounds,
        "dirty": [list(d) for d in dirty.dirty],
        "round_ms": [round(t, 5) for t in dirty.round_ms or ()],
        "exits": dirty.exits,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, payload in (("kvm_io_sweep", io), ("kvm_dirty", mem)):
        path = args.out / f"{stem}_{today}.json"
        path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path} (load average {payload['machine']['load']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
