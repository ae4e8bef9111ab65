"""Image transfer rates (``data/image_transfer_rates.csv``): how fast a VM image reaches a host, as measured."""

from __future__ import annotations

from ..core import data

CUSTOM = "custom"


#: Illustrative default for the custom transfer rate (MB/s): set your own.
DEFAULT_CUSTOM_RATE = 100.0


def transfer_rates() -> dict[str, tuple[str, float, str]]:
    """Measured transfer rates: row id -> (provider, MB/s, citation)."""
    table = data.load("image_transfer_rates")
    return {r["id"]: (r["provider"], r["rate_mb_per_s"], table.cite(r)) for r in table}


def rate_options() -> list[tuple[str, str]]:
    """Dropdown options ``(label, key)``: the measured rates, then custom."""
    opts = [(f"{p}: {mb_s:g} MB/s ({cite})", k) for k, (p, mb_s, cite) in transfer_rates().items()]
    return [*opts, ("custom (type your own)", CUSTOM)]
