"""``make bench``: the figures quoted in notes (benchmarks, not tests).

1. Model update time per calculator (pure model, and model + in-place redraw
   of the FigureWidget), median and p95 over many updates.
2. The load simulator (lesson 04): one synthetic year through each autoscaled fleet.
3. Headless run time per lesson (papermill, default parameters) and notebook size.
The browser round trip of every calculator is ``make latency`` (tools/latency.py).

Usage: python -m tools.bench [--skip-lessons]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .nb import lessons, run_papermill


def _stats(samples_ms: list[float]) -> tuple[float, float]:
    arr = np.array(samples_ms)
    return float(np.median(arr)), float(np.percentile(arr, 95))


def _time(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


nan = float("nan")


def model_benchmarks(n: int = 200) -> list[tuple[str, float, float, float, float]]:
    """(name, model median, model p95, update median, update p95) in ms."""
    import widgets
    from widgets import selfcheck
    from widgets.labs import kvm
    from widgets.models import toycpu, toyprograms, traps

    rows = []
    calc = widgets.TimescaleCalculator()
    values = ["1000", "2000"]
    i = iter(range(10**9))
    model = _time(lambda: widgets.timescales(list(calc.controls["kinds"].value), "1500"), n)

    def change() -> None:
        calc.controls["my_time_ms"].value = values[next(i) % 2]

    rows.append(("timescales (lesson 00)", *_stats(model), *_stats(_time(change, n))))
    check = selfcheck.RenderCheck()
    j = iter(range(10**9))
    rows.append(
        (
            "render check (lesson 00)",
            *_stats(_time(lambda: selfcheck.render_model(5), n)),
            *_stats(_time(lambda: setattr(check.controls["level"], "value", 1 + next(j) % 10), n)),
        )
    )
    explorer = widgets.TrapExplorer()
    modes = iter(range(10**9))
    rows.append(
        (
            "trap explorer (lesson 01)",
            *_stats(
                _time(
                    lambda: traps.explore(
                        toyprograms.EXAMPLES["interrupt-heavy"].text, "trap-and-emulate", False, False, 50
                    ),
                    n,
                )
            ),
            *_stats(_time(lambda: setattr(explorer.controls["mode"], "value", toycpu.MODES[next(modes) % 3]), n)),
        )
    )
    sizing = widgets.SizingCalculator()
    cores = iter(range(10**9))
    rows.append(
        (
            "VM sizing (lesson 01)",
            *_stats(_time(widgets.size_vms, n)),
            *_stats(_time(lambda: setattr(sizing.controls["host_cores"], "value", str(16 + next(cores) % 32)), n)),
        )
    )
    prov = widgets.ProvisioningCalculator()
    size = iter(range(10**9))
    rows.append(
        (
            "provisioning timeline (lesson 01)",
            *_stats(_time(widgets.provision_timeline, n)),
            *_stats(_time(lambda: setattr(prov.controls["image_size_mb"], "value", str(100 + next(size) % 900)), n)),
        )
    )
    for name, factory, control, values, model in (
        (
            "self-healing, 20 instances, 24 h (lesson 02)",
            widgets.HealingCalculator,
            "crashes_per_day",
            ("2", "3"),
            widgets.simulate_healing,
        ),
        ("scale-out (lesson 02)", widgets.ScaleOutCalculator, "new_rps", ("3000", "4000"), widgets.scale_out),
        ("storage with shared layers (lesson 03)", widgets.StorageCalculator, "app_mb", ("5", "6"), None),
        ("pull time (lesson 03)", widgets.PullCalculator, "bandwidth_mbit_s", ("100", "200"), None),
    ):
        calc, k = factory(), iter(range(10**9))
        model_times = _stats(_time(model, n)) if model else (float("nan"), float("nan"))
        rows.append(
            (
                name,
                *model_times,
                *_stats(
                    _time(
                        lambda c=calc, ctl=control, v=values, k=k: setattr(c.controls[ctl], "value", v[next(k) % 2]), n
                    )
                ),
            )
        )
    from widgets.models import packing

    rows.append(("allocation: permanent vs shared pool (lesson 07)", *_stats(_time(packing.compare, n)), nan, nan))
    if kvm.kvm_status().usable:
        rows.append(
            (
                "KVM guest run, default guest (lesson 01)",
                *_stats([kvm.run_guest().total_ms for _ in range(50)]),
                float("nan"),
                float("nan"),
            )
        )
    return rows


def loadsim_benchmarks(runs: int = 7, days: int = 365) -> list[tuple[str, float, int]]:
    """(fleet, median ms of :func:`widgets.models.loadsim.simulate` over ``runs``, most units) for a synthetic year."""
    from widgets.models.fleets import container_params, vm_params
    from widgets.models.loadsim import simulate
    from widgets.models.profiles import profile

    demand = profile("realistic", days=days, base_rps=200, peak_rps=1000, seed=1)
    rows = []
    for name, params in (("vm", vm_params()), ("container", container_params())):
        params = {k: v for k, v in params.items() if k != "notes"}
        times = _time(lambda p=params: simulate(demand, **p), runs)
        rows.append((name, float(np.median(times)), int(simulate(demand, **params).billed.max())))
    return rows


def lesson_benchmarks() -> list[tuple[str, float, float]]:
    """(lesson, seconds headless with defaults, size KB)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in lessons():
            start = time.perf_counter()
            run_papermill(path, Path(tmp) / path.name, {})
            rows.append((path.name, time.perf_counter() - start, path.stat().st_size / 1024))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-lessons", action="store_true")
    args = parser.parse_args()
    print("Model update time (ms; 'update' = model + in-place FigureWidget redraw)")
    print(f"  {'calculator':<42} {'model med':>9} {'p95':>6} {'update med':>10} {'p95':>6}")
    for name, m50, m95, u50, u95 in model_benchmarks():
        print(f"  {name:<42} {m50:9.3f} {m95:6.3f} {u50:10.3f} {u95:6.3f}")
    print("\nLoad simulator, one synthetic 'realistic' year (525,600 minutes) per fleet")
    for name, ms, units in loadsim_benchmarks():
        print(f"  {name:<10} simulate: {ms:8.1f} ms (median of 7)   up to {units} units")
    if not args.skip_lessons:
        print("\nHeadless run per lesson (papermill, defaults)")
        for name, seconds, kb in lesson_benchmarks():
            print(f"  {name:<34} {seconds:6.1f} s   {kb:6.0f} KB")
    print("\nBrowser round trip per calculator: make latency (tools/latency.py)")
    print(f"\n(measured {time.strftime('%Y-%m-%d %H:%M')} on this machine; figures vary with load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
