"""The KVM lab: change the guest, run a real VM (or the simulator), count its exits.

Each change builds a tiny real-mode guest (:func:`widgets.models.guest.build_guest`),
runs it on ``/dev/kvm`` (:func:`widgets.labs.kvm.run_guest`). Where KVM is not usable, or
``live="off"``, the same guest runs on the toy CPU (:func:`widgets.models.toyprograms.simulate_kvm_guest`)
and everything is labelled *simulated*: the exits are the same, the times are not measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate
from ..models import toyprograms
from . import kvm
from .base import use_live
from .capabilities import kvm_capability

REASONS = ("IO", "HLT")


@dataclass(frozen=True)
class LabRun:
    """One run of the lab: the guest, its result and whether it was live."""

    code: bytes
    run: kvm.GuestRun
    live: bool
    why: str


def kvm_lab(message: str, a: object = "", b: object = "", live: str = "auto") -> LabRun:
    """Build the guest and run it on KVM, or on the simulator.

    Parameters
    ----------
    message:
        What the guest prints (printable ASCII, 1 to 200 characters).
    a, b:
        Optional numbers 0..255 the guest adds and prints (both empty: no sum).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`).
    """
    empty = [x is None or (isinstance(x, str) and not x.strip()) for x in (a, b)]
    if all(empty):
        add = None
    elif any(empty):
        raise ValueError("give both numbers to add, or neither")
    else:
        add = (validate.integer("a", a, minimum=0, maximum=255), validate.integer("b", b, minimum=0, maximum=255))
        if add[0] + add[1] > 255:
            raise ValueError(
                f"a + b must be at most 255 (the guest adds in the 8-bit AL register), "
                f"got {add[0]} + {add[1]} = {add[0] + add[1]}"
            )
    code = kvm.build_guest(message, add=add)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        try:
            return LabRun(code, kvm.run_guest(code, timeout_s=2.0), True, why)
        except kvm.KvmUnavailable as exc:
            why = f"KVM could not run here ({exc}); showing the simulation."
    printed = message + ("" if add is None else str(add[0] + add[1]))
    return LabRun(code, toyprograms.simulate_kvm_guest(printed), False, why)
