"""Containers vs. Virtual Machines: the course's package.

The package is built in floors, and imports point downwards only (a test enforces it):

* :mod:`widgets.core`: validation, the cited-data loader and recordings, units, lesson metadata;
* :mod:`widgets.models`: pure models (numpy only): validated inputs in, a frozen result out;
* :mod:`widgets.labs`: the only code that touches the host (KVM, namespaces, cgroups, the probe);
* :mod:`widgets.ui`: figures, the theme and the thin calculators;
* :mod:`widgets.learning`: checks, quizzes, practice and the capstone.

This module is the curated public API. Each name is imported when it is first used, so
``import widgets`` is cheap and a lesson loads only what it uses::

    import widgets
    calc = widgets.TimescaleCalculator(kinds=["container", "cloud-vm"])
    calc            # displays the controls, the figure and its summary
    calc.result     # the model's latest result (a Timescale)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"


class CourseWarning(UserWarning):
    """Warnings the course itself raises (errors in the test suite)."""


#: Public name -> the module that defines it.
_PUBLIC: dict[str, str] = {
    # core
    "DataError": "core.data",
    "load": "core.data",
    # models
    "hosting_cost": "models.costs",
    "tco": "models.tco",
    "decide": "models.decision",
    "to_markdown": "models.decision",
    "simulate_drift": "models.drift",
    "simulate_healing": "models.healing",
    "kernel_features": "models.kernel",
    "pull_time": "models.layers",
    "storage": "models.layers",
    "load_compare": "models.loadsim",
    "normalise": "models.overheads",
    "provision_timeline": "models.provisioning",
    "scale_out": "models.scaleout",
    "size_vms": "models.sizing",
    "timescales": "models.timescales",
    # labs
    "capabilities": "labs.capabilities",
    "use_live": "labs.base",
    "where_am_i": "labs.probe",
    # ui
    "COLORS": "ui.theme",
    "LABELS": "ui.theme",
    "new_figure": "ui.figures",
    "show_figure": "ui.figures",
    "Calculator": "ui.calculator",
    "CostCalculator": "ui.costs",
    "TcoCalculator": "ui.costs",
    "DecisionAid": "ui.decision",
    "DensityCalculator": "ui.density",
    "DriftCalculator": "ui.drift",
    "HealingCalculator": "ui.healing",
    "KernelCalculator": "ui.kernelcheck",
    "IoLabCalculator": "ui.kvmio",
    "KvmLab": "ui.kvmlab",
    "MigrationCalculator": "ui.migration",
    "OvercommitCalculator": "ui.overcommit",
    "PageWalkCalculator": "ui.pagewalk",
    "PullCalculator": "ui.layers",
    "StorageCalculator": "ui.layers",
    "LoadCalculator": "ui.loadsim",
    "OverheadExplorer": "ui.overheads",
    "PackingCalculator": "ui.packing",
    "ProvisioningCalculator": "ui.provisioning",
    "ScaleOutCalculator": "ui.scaleout",
    "SizingCalculator": "ui.sizing",
    "StartupLab": "ui.startup",
    "TimescaleCalculator": "ui.timescales",
    "TrapExplorer": "ui.trapsim",
    "RenderCheck": "selfcheck",
    # learning
    "Feedback": "learning.checks",
    "check_choice": "learning.checks",
    "check_number": "learning.checks",
    "Question": "learning.quiz",
    "Quiz": "learning.quiz",
    "q": "learning.quiz",
    "Mistake": "learning.predict",
    "check_prediction": "learning.predict",
    "journal": "learning.predict",
    "check_mystery": "learning.mystery",
    "mystery_machine": "learning.mystery",
}

__all__ = ["CourseWarning", "__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    try:
        module = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
