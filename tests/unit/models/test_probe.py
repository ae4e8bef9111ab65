"""'Where am I running?' and the capability probe, on fake and real systems."""

from __future__ import annotations

from widgets.models.probe import Evidence, classify


def test_classify_rules_directly():
    vm = Evidence("x", "y", "vm")
    ct = Evidence("x", "y", "container", name="Podman")
    none = Evidence("x", "y", "none")
    assert classify([none]).kind == "bare-metal"
    assert classify([vm]).kind == "vm"
    assert classify([ct]).kind == "container"
    assert classify([vm, ct]).kind == "container-in-vm"
    assert classify([]).kind == "unknown"
    assert "Podman" in classify([ct]).headline
