"""Helpers the calculators tests of several floors share."""

from __future__ import annotations

HOSTILE_TEXT = ["-5", "0", "nan", "inf", "-inf", "1e30", "abc", "   ", "1,5", "True", "[1]", "0x"]
