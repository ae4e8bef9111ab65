"""The KVM lab: hostile numbers for the guest's sum get clear messages before any VM is made."""

from __future__ import annotations

import pytest

from widgets.labs import kvmlab


@pytest.mark.parametrize(
    ("a", "b", "words"),
    [
        ("7", "", "both numbers"),
        ("-1", "2", "at least 0"),
        ("300", "1", "at most 255"),
        ("200", "100", "at most 255"),
        ("x", "1", "must be a number"),
        ("1.5", "1", "whole number"),
        ("nan", "1", "not a number"),
        ("inf", "1", "finite"),
        (True, 1, "must be a number"),
    ],
)
def test_kvm_lab_hostile_numbers(a, b, words):
    with pytest.raises(ValueError, match=words):
        kvmlab.kvm_lab("Hi", a, b, live="off")
