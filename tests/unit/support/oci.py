"""Helpers the oci tests of several floors share."""

from __future__ import annotations
