"""Helpers the costs tests of several floors share."""

from __future__ import annotations

X86_CPU, X86_MEM, ARM_CPU, ARM_MEM = 0.04048, 0.004445, 0.03238, 0.00356  # USD per vCPU-h, GB-h


NO_OVERHEAD = {"control_plane_usd_month": 0}
EKS_MONTH = 0.10 * 730  # the EKS control plane, USD a month (secondary snapshot)


COST_NUMERIC = [
    ("avg_vcpu", "average vCPUs"),
    ("avg_mem_gb", "average memory"),
    ("peak_to_avg", "peak-to-average ratio"),
    ("vm_vcpu", "VM vCPUs"),
    ("vm_mem_gb", "VM memory"),
    ("discount_pct", "discount"),
    ("vm_autoscale_share", "VM autoscaling share"),
    ("container_discount_pct", "container discount"),
    ("headroom_pct", "headroom"),
    ("packing_pct", "packing"),
    ("control_plane_usd_month", "control plane"),
]


TCO_NUMERIC = [
    ("years", "years"),
    ("hosting_vm_usd_year", "VM hosting per year"),
    ("hosting_container_usd_year", "container hosting per year"),
    ("team_size", "team size"),
    ("engineer_usd_year", "cost per engineer-year"),
    ("ops_share_vm_pct", "VM operations share"),
    ("ops_share_container_pct", "container operations share"),
    ("training_usd_per_engineer", "training per engineer"),
    ("migration_engineer_months", "migration effort"),
    ("failure_probability_pct", "failure probability"),
    ("failed_migration_usd", "failed migration cost"),
]
