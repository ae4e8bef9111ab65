"""What "a few minutes to provision a VM" is made of: a timeline of stages.

From the request to a usable machine, a VM goes through five stages:

1. the API call and placement on a host;
2. the image transfer to that host (image size / transfer rate);
3. the guest's boot to init;
4. services and the application start;
5. the first login or health check.

The calculator adds them up on a logarithmic time axis and sets the total
beside published totals from ``data/startup_times.csv`` (EC2 and Rackspace
VMs measured by Mao & Humphrey in 2011–12, Firecracker's specified boot bound,
``docker run`` from gVisor's data).

Cited values: the transfer rates measured by Mao & Humphrey
(``data/image_transfer_rates.csv``) and Firecracker's boot-to-init bound
(used by the micro-VM preset). Every other stage value, and the image size,
is an illustrative assumption: set your own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import data, validate
from ..core.validate import ILLUSTRATIVE
from .rates import CUSTOM, DEFAULT_CUSTOM_RATE, transfer_rates

#: The stages, in order.
STAGES = (
    "API call and placement",
    "image transfer to the host",
    "guest boot to init",
    "services and application start",
    "first login / health check",
)


#: Published totals shown beside the model's total: row ids in data/startup_times.csv.
REFERENCE_IDS = (
    "firecracker_boot_to_init",
    "docker_run_alpine_true_runc",
    "rackspace_linux",
    "ec2_linux_m1small",
    "ec2_windows_m1small",
)


#: The row of data/startup_times.csv whose value the micro-VM preset uses for the boot stage.
FIRECRACKER_BOOT_ID = "firecracker_boot_to_init"


#: The longest a stage may take: one hour, in s.
MAX_STAGE_S = 3600.0


#: Preset key -> label. The presets only set the controls' starting values.
PLATFORMS = {"cloud-vm": "cloud VM (2012 study)", "microvm": "micro-VM (Firecracker-style)"}


#: Starting values per preset: illustrative assumptions, set your own. The
#: micro-VM boot time is not here: it is read from the data (see :func:`preset`).
_PRESET_ASSUMPTIONS: dict[str, dict[str, float]] = {
    "cloud-vm": {"api_s": 5, "image_size_mb": 500, "boot_s": 20, "services_s": 10, "health_s": 5},
    "microvm": {"api_s": 0.05, "image_size_mb": 0, "services_s": 0.5, "health_s": 0.1},
}


#: Stage argument names, in the order of :data:`STAGES` (None: computed).
_STAGE_ARGS = ("api_s", None, "boot_s", "services_s", "health_s")


_STAGE_WORDS = {
    "api_s": "placement time",
    "boot_s": "boot time",
    "services_s": "app start time",
    "health_s": "health check time",
}


def firecracker_boot_s() -> tuple[float, str]:
    """Firecracker's specified boot-to-init bound in s, and its citation."""
    table = data.load("startup_times")
    row = table.row(id=FIRECRACKER_BOOT_ID)
    return row["value_ms"] / 1000, table.cite(row)


def preset(platform: str) -> dict[str, float]:
    """The starting stage values of a platform preset (see :data:`PLATFORMS`).

    All are illustrative assumptions, set your own, except the micro-VM boot
    time, which is Firecracker's specified upper bound from the data.
    """
    validate.choice("platform", platform, PLATFORMS)
    values = dict(_PRESET_ASSUMPTIONS[platform])
    if platform == "microvm":
        values["boot_s"] = firecracker_boot_s()[0]
    return {k: values[k] for k in ("api_s", "image_size_mb", "boot_s", "services_s", "health_s")}


@dataclass(frozen=True)
class Reference:
    """A published total from ``data/startup_times.csv``."""

    subject: str
    statistic: str  # mean, upper-bound, stated, ...
    period: str
    seconds: float
    kind: str  # a kind of data/startup_times.csv (colour: timescales.KIND_COLOR)
    cite: str

    @property
    def label(self) -> str:
        """Subject and statistic, e.g. 'EC2 Linux m1.small: mean'."""
        return f"{self.subject}: {self.statistic}"


@dataclass(frozen=True)
class Timeline:
    """The stages from request to usable, and published totals to compare."""

    stages: tuple[tuple[str, float, bool, str], ...]  # (name, seconds, cited, note)
    image_size_mb: float
    rate_mb_s: float
    rate_label: str  # provider, or "your" for a custom rate
    rate_cite: str  # "" for a custom rate
    references: tuple[Reference, ...]

    @property
    def total_s(self) -> float:
        """Request to usable, in s."""
        return math.fsum(s for _, s, _, _ in self.stages)

    @property
    def starts(self) -> tuple[float, ...]:
        """When each stage starts, in s after the request."""
        out, t = [], 0.0
        for _, s, _, _ in self.stages:
            out.append(t)
            t += s
        return tuple(out)

    @property
    def dominant(self) -> tuple[str, float]:
        """The longest stage: (name, seconds)."""
        name, s, _, _ = max(self.stages, key=lambda st: st[1])
        return name, s


def provision_timeline(
    api_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["api_s"],
    image_size_mb: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["image_size_mb"],
    rate: str = "ec2",
    custom_rate_mb_s: float | str = DEFAULT_CUSTOM_RATE,
    boot_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["boot_s"],
    services_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["services_s"],
    health_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["health_s"],
) -> Timeline:
    """Add up the stages from "request" to "usable".

    Every default is an illustrative assumption, set your own (the cloud-VM
    preset), except the transfer rate, which is measured (Mao & Humphrey 2012).

    Parameters
    ----------
    api_s:
        API call and placement, 0–3600 s (default 5, illustrative assumption, set your own).
    image_size_mb:
        Image to copy to the host, 0–1,000,000 MB; 0 = already on the host
        (default 500, illustrative assumption, set your own).
    rate:
        A measured rate from ``data/image_transfer_rates.csv`` (``"ec2"``,
        ``"azure"``, ``"rackspace"``) or ``"custom"``.
    custom_rate_mb_s:
        Your transfer rate, more than 0 and at most 100,000 MB/s; read only
        when ``rate`` is ``"custom"`` (default 100, illustrative assumption, set your own).
    boot_s:
        Guest boot to init, 0–3600 s (default 20, illustrative assumption, set
        your own; the micro-VM preset uses Firecracker's specified ≤125 ms).
    services_s:
        Services and the application start, 0–3600 s (default 10, illustrative assumption, set your own).
    health_s:
        First login or health check, 0–3600 s (default 5, illustrative assumption, set your own).

    Raises
    ------
    ValueError
        On any invalid input (the message names it), or if every stage is zero.
    """
    values = {
        "api_s": api_s,
        "boot_s": boot_s,
        "services_s": services_s,
        "health_s": health_s,
    }
    secs = {k: validate.number(_STAGE_WORDS[k], v, minimum=0, maximum=MAX_STAGE_S, unit="s") for k, v in values.items()}
    size = validate.number("image size", image_size_mb, minimum=0, maximum=1_000_000, unit="MB")
    rates = transfer_rates()
    validate.choice("transfer rate", rate, [*rates, CUSTOM])
    if rate == CUSTOM:
        mb_s = validate.number(
            "custom transfer rate", custom_rate_mb_s, minimum=0, maximum=100_000, allow_zero=False, unit="MB/s"
        )
        rate_label, rate_cite = "your", ""
    else:
        rate_label, mb_s, rate_cite = rates[rate]
    transfer = size / mb_s

    fc_s, fc_cite = firecracker_boot_s()
    stages = []
    for name, arg in zip(STAGES, _STAGE_ARGS, strict=True):
        if arg is None:
            where = f"the {mb_s:g} MB/s measured for {rate_label} ({rate_cite})" if rate_cite else f"your {mb_s:g} MB/s"
            if size == 0:
                stages.append((name, 0.0, False, f"image already on the host ({ILLUSTRATIVE}): no transfer"))
            else:
                stages.append((name, transfer, False, f"{size:g} MB image ({ILLUSTRATIVE}) at {where}"))
        elif arg == "boot_s" and math.isclose(secs[arg], fc_s):
            stages.append(
                (name, secs[arg], True, f"Firecracker's specified upper bound, InstanceStart to /sbin/init ({fc_cite})")
            )
        else:
            stages.append((name, secs[arg], False, ILLUSTRATIVE))
    if not any(s > 0 for _, s, _, _ in stages):
        raise ValueError("every stage takes 0 s: give at least one stage a duration")

    table = data.load("startup_times")
    refs = []
    for rid in REFERENCE_IDS:
        row = table.row(id=rid)
        refs.append(
            Reference(
                row["subject"],
                row["statistic"],
                row["period"] or "",
                row["value_ms"] / 1000,
                row["kind"],
                table.cite(row),
            )
        )
    return Timeline(tuple(stages), size, mb_s, rate_label, rate_cite, tuple(refs))
