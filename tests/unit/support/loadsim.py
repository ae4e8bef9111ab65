"""Helpers the loadsim tests of several floors share."""

from __future__ import annotations

DAY = 1440


BASE = {"unit_capacity_rps": 100, "provision_delay_min": 3, "price_per_unit_hour": 0.5}
