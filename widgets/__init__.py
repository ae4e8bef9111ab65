"""Containers vs. Virtual Machines: the course's package.

The public API, grouped by layer (pure models never import UI code):

* data: :func:`load` a cited data set (validated against datapackage.json);
* probes: :func:`where_am_i`, :func:`capabilities`, :func:`use_live`;
* figures: :func:`new_figure`, :func:`show_figure`, :data:`COLORS`;
* learning: :func:`check_number`, :func:`check_choice`, :class:`Quiz`, :func:`q`;
* calculators: :class:`Calculator` (the base) and the course's calculators.

Use a calculator in your own notebook::

    import widgets
    calc = widgets.TimescaleCalculator(kinds=["container", "cloud-vm"])
    calc            # displays the controls, the figure and its summary
    calc.result     # the model's latest result (a Timescale)
"""

from __future__ import annotations


class CourseWarning(UserWarning):
    """Warnings the course itself raises (errors in the test suite)."""


from .calculator import Calculator  # noqa: E402
from .checks import Feedback, check_choice, check_number  # noqa: E402
from .costs import CostCalculator, TcoCalculator, hosting_cost, tco  # noqa: E402
from .data import DataError, load  # noqa: E402
from .decision import DecisionAid, decide, to_markdown  # noqa: E402
from .density import DensityCalculator  # noqa: E402
from .drift import DriftCalculator, simulate_drift  # noqa: E402
from .figures import new_figure, show_figure  # noqa: E402
from .healing import HealingCalculator, simulate_healing  # noqa: E402
from .kernelcheck import KernelCalculator, kernel_features  # noqa: E402
from .kvmlab import KvmLab  # noqa: E402
from .layers import PullCalculator, StorageCalculator, pull_time, storage  # noqa: E402
from .loadsim import LoadCalculator, load_compare  # noqa: E402
from .mystery import check_mystery, mystery_machine  # noqa: E402
from .overheads import OverheadExplorer, normalise  # noqa: E402
from .packing import PackingCalculator  # noqa: E402
from .probe import capabilities, use_live, where_am_i  # noqa: E402
from .provisioning import ProvisioningCalculator, provision_timeline  # noqa: E402
from .quiz import Question, Quiz, q  # noqa: E402
from .scaleout import ScaleOutCalculator, scale_out  # noqa: E402
from .sizing import SizingCalculator, size_vms  # noqa: E402
from .startup import StartupLab  # noqa: E402
from .theme import COLORS, LABELS  # noqa: E402
from .timescales import TimescaleCalculator, timescales  # noqa: E402
from .trapsim import TrapExplorer  # noqa: E402

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Import :class:`RenderCheck` lazily, so ``python -m widgets.selfcheck`` runs without a warning."""
    if name == "RenderCheck":
        from .selfcheck import RenderCheck

        return RenderCheck
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")

__all__ = [
    "COLORS",
    "LABELS",
    "Calculator",
    "CostCalculator",
    "DecisionAid",
    "DensityCalculator",
    "OverheadExplorer",
    "PackingCalculator",
    "StartupLab",
    "decide",
    "normalise",
    "to_markdown",
    "KernelCalculator",
    "KvmLab",
    "LoadCalculator",
    "ProvisioningCalculator",
    "PullCalculator",
    "SizingCalculator",
    "StorageCalculator",
    "TcoCalculator",
    "TrapExplorer",
    "CourseWarning",
    "DataError",
    "DriftCalculator",
    "HealingCalculator",
    "Feedback",
    "Question",
    "Quiz",
    "RenderCheck",
    "ScaleOutCalculator",
    "TimescaleCalculator",
    "capabilities",
    "check_choice",
    "check_mystery",
    "check_number",
    "load",
    "load_compare",
    "hosting_cost",
    "kernel_features",
    "mystery_machine",
    "new_figure",
    "provision_timeline",
    "pull_time",
    "size_vms",
    "storage",
    "tco",
    "q",
    "scale_out",
    "simulate_healing",
    "show_figure",
    "simulate_drift",
    "timescales",
    "use_live",
    "where_am_i",
]
