"""Fitting per-message and per-byte costs to a sweep, and where the two I/O paths cross."""

from __future__ import annotations

import pytest

from widgets.models.iopaths import Sweep, crossover, fit_costs, log_sizes

SIZES = (1, 2, 4, 8, 16, 32)


def sweep(serial=(50.0, 15.0), ring=(100.0, 0.5)) -> Sweep:
    times = {
        "serial": tuple((serial[0] + serial[1] * n) / 1e3 for n in SIZES),
        "ring-port": tuple((ring[0] + ring[1] * n) / 1e3 for n in SIZES),
    }
    exits = {"serial": tuple(n + 1 for n in SIZES), "ring-port": (2,) * len(SIZES)}
    return Sweep(SIZES, ("serial", "ring-port"), exits, times, 3, True, "measured here")


def test_exact_lines_are_recovered():
    costs = fit_costs(sweep())
    assert costs["serial"].per_message_us == pytest.approx(50) and costs["serial"].per_byte_us == pytest.approx(15)
    assert costs["ring-port"].time_us(10) == pytest.approx(105)


def test_crossover_of_two_lines():
    c = crossover(sweep())
    assert c.fitted_n == pytest.approx(50 / 14.5) and c.measured_n == 4
    assert "cross at N ≈ 3.45 bytes" in c.sentence and "faster from N = 4" in c.sentence
    cheap = crossover(sweep(ring=(55.0, 0.5)))
    assert cheap.fitted_n < 1 and "below one byte" in cheap.sentence


def test_no_times_no_fit():
    s = Sweep(SIZES, ("serial",), {"serial": SIZES}, None, 0, False, "the model's counts")
    with pytest.raises(ValueError, match="no measured times"):
        fit_costs(s)


def test_log_sizes():
    assert log_sizes(8) == (1, 2, 4, 8) and log_sizes(4096)[-1] == 4096
    with pytest.raises(ValueError, match="at most 4096"):
        log_sizes(8192)
