"""Total cost of ownership: stay on VMs, or re-architect a legacy application to containers.

:func:`tco`: hosting + engineering (team × loaded cost × share of time on operations) + one-off training,
migration and risk (probability × cost of a failed migration), over N years. The point to see: engineering
outweighs hosting. Every default is an illustrative assumption (a legacy application): set your own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core import validate
from .costs import MAX_USD, MAX_YEARS, hosting_cost

STRATEGIES = {"vm": "stay on VMs (lift and shift or keep)", "container": "re-architect to containers"}
COMPONENTS = ("hosting", "engineering", "training", "migration", "risk")


@dataclass(frozen=True)
class Tco:
    """Yearly and one-off costs of two strategies, and where their cumulative costs cross."""

    years: int
    recurring: dict[str, dict[str, float]]  # strategy -> {"hosting", "engineering"} -> USD per year
    one_off: dict[str, dict[str, float]]  # strategy -> {"training", "migration", "risk"} -> USD, in year 1
    break_even_years: float  # when containers catch up (0 from the start, inf never)

    def totals(self, strategy: str) -> dict[str, float]:
        """Each component's cost over the N years (USD)."""
        validate.choice("strategy", strategy, STRATEGIES)
        out = {k: v * self.years for k, v in self.recurring[strategy].items()}
        return {c: out.get(c, self.one_off[strategy].get(c, 0.0)) for c in COMPONENTS}

    def cumulative(self, strategy: str) -> np.ndarray:
        """Cumulative cost at the end of year 0 (the one-offs), 1, ..., N (USD)."""
        validate.choice("strategy", strategy, STRATEGIES)
        return sum(self.one_off[strategy].values()) + np.arange(self.years + 1) * sum(self.recurring[strategy].values())

    @property
    def break_even_year(self) -> int | None:
        """The year (1..N) by whose end the containers cost no more in total; None if none within N."""
        year = max(1, math.ceil(round(self.break_even_years, 9))) if math.isfinite(self.break_even_years) else None
        return year if year is not None and year <= self.years else None


@lru_cache(maxsize=1)
def default_hosting() -> tuple[float, float]:
    """Yearly hosting (VMs, containers) of :func:`hosting_cost`'s default case, rounded to whole USD."""
    h = hosting_cost()
    return float(round(h.vm_yearly)), float(round(h.container_yearly))


def tco(
    years: int | str = 5,
    hosting_vm_usd_year: float | str | None = None,
    hosting_container_usd_year: float | str | None = None,
    team_size: float | str = 4.0,
    engineer_usd_year: float | str = 120_000.0,
    ops_share_vm_pct: float | str = 30.0,
    ops_share_container_pct: float | str = 25.0,
    training_usd_per_engineer: float | str = 2_000.0,
    migration_engineer_months: float | str = 6.0,
    failure_probability_pct: float | str = 20.0,
    failed_migration_usd: float | str = 100_000.0,
) -> Tco:
    """Total cost of ownership over ``years``: stay on VMs, or re-architect a legacy application to containers.

    Defaults: illustrative assumptions, set your own (none is data): with them staying
    on VMs is cheaper over 3 years and the containers break even only in year 4.

    Parameters
    ----------
    years:
        Horizon, 1–50 years.
    hosting_vm_usd_year, hosting_container_usd_year:
        Hosting per year (USD); None: from :func:`hosting_cost`'s default case (:func:`default_hosting`).
    team_size, engineer_usd_year, ops_share_vm_pct, ops_share_container_pct:
        Engineers (above zero), loaded cost of an engineer-year (USD), share of their time spent operating
        each platform (0–100 %).
    training_usd_per_engineer, migration_engineer_months, failure_probability_pct, failed_migration_usd:
        One-offs in year 1 for the containers: training per engineer (USD), engineer-months to re-architect,
        and the expected cost of a failed migration: chance (0–100 %) × cost (USD).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("years", years, minimum=1, maximum=MAX_YEARS)
    vm_default, container_default = default_hosting()
    host_vm = validate.number(
        "VM hosting per year",
        vm_default if hosting_vm_usd_year is None else hosting_vm_usd_year,
        minimum=0,
        maximum=MAX_USD,
        unit="USD",
    )
    host_c = validate.number(
        "container hosting per year",
        container_default if hosting_container_usd_year is None else hosting_container_usd_year,
        minimum=0,
        maximum=MAX_USD,
        unit="USD",
    )
    team = validate.number("team size", team_size, minimum=0, maximum=100_000, allow_zero=False, unit="engineers")
    salary = validate.number("cost per engineer-year", engineer_usd_year, minimum=0, maximum=1e8, unit="USD")
    ops_vm = validate.number("VM operations share", ops_share_vm_pct, minimum=0, maximum=100, unit="%")
    ops_c = validate.number("container operations share", ops_share_container_pct, minimum=0, maximum=100, unit="%")
    train = validate.number("training per engineer", training_usd_per_engineer, minimum=0, maximum=1e8, unit="USD")
    months = validate.number(
        "migration effort", migration_engineer_months, minimum=0, maximum=1e6, unit="engineer-months"
    )
    p_fail = validate.number("failure probability", failure_probability_pct, minimum=0, maximum=100, unit="%")
    fail = validate.number("failed migration cost", failed_migration_usd, minimum=0, maximum=MAX_USD, unit="USD")
    recurring = {
        "vm": {"hosting": host_vm, "engineering": team * salary * ops_vm / 100},
        "container": {"hosting": host_c, "engineering": team * salary * ops_c / 100},
    }
    one_off = {
        "vm": {"training": 0.0, "migration": 0.0, "risk": 0.0},
        "container": {"training": team * train, "migration": months * salary / 12, "risk": p_fail / 100 * fail},
    }
    gain = sum(recurring["vm"].values()) - sum(recurring["container"].values())
    extra = sum(one_off["container"].values())
    when = extra / gain if gain > 0 else math.inf
    return Tco(n, recurring, one_off, when)
