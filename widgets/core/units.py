"""Units, conversions and the way the course writes numbers.

One place for the small formatting rules every lesson shares, so that a duration,
a price or a share reads the same in every figure, summary and message.
"""

from __future__ import annotations

import datetime as dt
import math

HOURS_PER_MONTH = 730.0  #: the billing month of the cloud price lists: 8,760 h / 12
MONTHS_PER_YEAR = 12
MIB = 2**20  #: bytes in a MiB
GIB = 2**30  #: bytes in a GiB


def format_ms(ms: float) -> str:
    """A duration in the unit a person would use: '1.2 ms', '3.4 s', '13.5 min'."""
    if ms < 1000:
        return f"{ms:.3g} ms"
    if ms < 120_000:
        return f"{ms / 1000:.3g} s"
    return f"{ms / 60_000:.3g} min"


def format_s(seconds: float) -> str:
    """A duration given in seconds, written like :func:`format_ms`."""
    return format_ms(seconds * 1000)


def format_usd(x: float) -> str:
    """Dollars: cents below 1,000 ('12.50'), whole dollars above ('1,250')."""
    return f"{x:,.2f}" if abs(x) < 1000 else f"{x:,.0f}"


def format_mb(x: float) -> str:
    """Megabytes with one decimal: '1,234.5 MB'."""
    return f"{x:,.1f} MB"


def format_share(share: float) -> str:
    """A share (0..1) as a percentage with three significant digits: '12.5%'."""
    return f"{100 * share:.3g}%"


def format_percent(pct: float) -> str:
    """A percentage with enough decimals not to round up to 100% ('99.997%')."""
    if pct >= 100:
        return "100%"
    for digits in range(1, 7):
        text = f"{pct:.{digits}f}"
        if float(text) < 100:
            return f"{text}%"
    return f"{math.floor(pct * 1e6) / 1e6:.6f}%"  # truncated: 99.9999999 is not 100


def format_g(x: float, digits: int = 4) -> str:
    """A number as a person would write it, with ``digits`` significant digits: 4.622, 126, 0.122."""
    return f"{x:.{digits}g}"


def version_key(version: str) -> tuple[int, ...]:
    """'4.14' -> (4, 14): a dotted version that sorts as numbers."""
    return tuple(int(p) for p in version.split("."))


def parse_date(text: object) -> dt.date:
    """'2000' -> 2000-01-01, '1974-07' -> 1974-07-01, '2005-11-15' -> that day."""
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str):
        raise ValueError(f"a date must be text like 2005, 2005-11 or 2005-11-15, got {text!r}")
    parts = text.strip().split("-")
    try:
        nums = [int(p) for p in parts]
        if len(nums) == 1:
            return dt.date(nums[0], 1, 1)
        if len(nums) == 2:
            return dt.date(nums[0], nums[1], 1)
        return dt.date(*nums[:3])
    except (TypeError, ValueError):
        raise ValueError(f"a date must be text like 2005, 2005-11 or 2005-11-15, got {text!r}") from None
