"""Cloud prices from ``data/cloud_prices.csv``: one reader, and the catalogue of priced items.

Every price is a SECONDARY, dated snapshot: it is always shown with its date, its source and the words
"secondary snapshot, re-check before use" (:data:`STALE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core import data, validate

STALE = "secondary snapshot, re-check before use"
#: VM price rows (USD per instance-hour; the VM sizes are not in the data).
VM_ROWS = ("aws_ec2_m5_large", "aws_ec2_m6i_large", "aws_ec2_m7g_large", "azure_d2s_v5", "gcp_e2_standard_2")
#: Serverless container platform key -> (vCPU-hour row, GB-hour row): billed per task for what it requests.
PLATFORM_ROWS = {
    "fargate_x86": ("aws_fargate_linux_x86_vcpu", "aws_fargate_linux_x86_memory"),
    "fargate_arm": ("aws_fargate_linux_arm_vcpu", "aws_fargate_linux_arm_memory"),
}
#: Every container platform: the serverless ones, and containers on a node pool of the chosen VMs (EKS).
PLATFORMS = (*PLATFORM_ROWS, "node_pool")
PLATFORM_NAMES = {
    "fargate_x86": "AWS Fargate Linux/x86 (serverless)",
    "fargate_arm": "AWS Fargate Linux/ARM (serverless)",
    "node_pool": "a node pool of the VMs (EKS)",
}
#: Platform -> its control-plane price row: ECS (no charge) for Fargate, EKS for a node pool.
CONTROL_PLANES = {
    "fargate_x86": "aws_ecs_control_plane",
    "fargate_arm": "aws_ecs_control_plane",
    "node_pool": "aws_eks_control_plane",
}


@dataclass(frozen=True)
class Price:
    """One row of ``data/cloud_prices.csv``, with its date and source."""

    id: str
    label: str
    usd: float
    per: str
    region: str
    date_seen: str
    cite: str

    @property
    def short(self) -> str:
        """The item's name alone, e.g. ``m5.large``."""
        return self.label.split(": ")[-1].split(",")[0]

    @property
    def when(self) -> str:
        """When the price was seen: ``seen 2026-03-10`` or ``undated``."""
        return self.date_seen if self.date_seen.startswith("undated") else f"seen {self.date_seen}"

    def text(self) -> str:
        """The price with its region, date, source and the staleness words."""
        where = f"{self.region}; " if self.region else ""
        return f"{self.label}: {self.usd:g} USD per {self.per} ({where}{self.when}; {self.cite}; {STALE})"

    def brief(self) -> str:
        """The price in one short phrase for a list of assumptions: date, source, 're-check'."""
        return (
            f"{self.label.replace(': ', ' ', 1)}: {self.usd:g} USD per {self.per} (seen: {self.date_seen}; "
            f"{self.cite}; re-check)"
        )


def price(row_id: str, rows: Sequence[str] | None = None) -> Price:
    """The price row ``row_id`` of ``data/cloud_prices.csv`` as a :class:`Price` (one of ``rows``, if given)."""
    table = data.load("cloud_prices")
    row = table.row(id=row_id if rows is None else validate.choice("price row", row_id, rows))
    label = f"{row['provider']} {row['service']}: {row['item']}"
    return Price(row["id"], label, row["price_usd"], row["per"], row["region"] or "", row["date_seen"], table.cite(row))


def vm_options() -> list[tuple[str, str]]:
    """Dropdown options ``(label with price, date and source, row id)`` for the VM types."""
    return [(f"{p.label}, {p.usd:g} USD/h ({p.when}; {p.cite})", p.id) for p in map(price, VM_ROWS)]


def platform_options() -> list[tuple[str, str]]:
    """Dropdown options for the container platforms, labelled with their prices and dates."""
    out = []
    for key, (cpu_row, mem_row) in PLATFORM_ROWS.items():
        cpu, mem = price(cpu_row), price(mem_row)
        out.append(
            (f"{PLATFORM_NAMES[key]}, {cpu.usd:g} USD/vCPU-h + {mem.usd:g} USD/GB-h ({cpu.when}; {cpu.cite})", key)
        )
    eks = price(CONTROL_PLANES["node_pool"])
    out.append(
        (f"{PLATFORM_NAMES['node_pool']}: the VM price per node + {eks.usd:g} USD/cluster-h ({eks.cite})", "node_pool")
    )
    return out


def max_discount(row_id: str) -> tuple[float, str]:
    """The largest discount a purchase option's source states ('up to', %) and its citation."""
    table = data.load("purchase_options")
    row = table.row(id=row_id)
    return float(row["max_discount_pct"]), table.cite(row)
