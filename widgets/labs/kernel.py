"""This machine's kernel, read with ``platform.release()``, as a report of its isolation features."""

from __future__ import annotations

import dataclasses
import platform

from ..models.kernel import KernelReport, kernel_features


def this_kernel() -> KernelReport:
    """The report for the kernel this Python runs on (``platform.release()``, read here).

    Raises
    ------
    ValueError
        If this is not Linux: containers there (e.g. Docker Desktop) run in a Linux VM with its own kernel.
    """
    system = platform.system()
    if system != "Linux":
        raise ValueError(
            f"there is no Linux kernel here ({system or 'unknown system'}): Docker Desktop and "
            "similar tools run containers inside a Linux VM; type that VM's version "
            "(docker run --rm alpine uname -r)"
        )
    return dataclasses.replace(kernel_features(platform.release()), origin="read here with platform.release()")
