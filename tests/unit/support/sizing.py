"""Helpers the sizing tests of several floors share."""

from __future__ import annotations

#: Every numeric input: (argument, name in messages, whole number?, zero allowed?)
NUMERIC = [
    ("app_vcpu", "app vCPUs", False, False),
    ("app_memory_gib", "app memory", False, False),
    ("app_disk_gb", "app disk", False, False),
    ("guest_os_memory_gib", "guest OS memory", False, True),
    ("guest_os_disk_gb", "guest OS disk", False, True),
    ("host_cores", "host cores", True, False),
    ("host_memory_gib", "host memory", False, False),
    ("host_disk_gb", "host disk", False, False),
    ("cpu_overcommit", "CPU overcommit", False, False),
    ("host_reserved_memory_gib", "host reserve", False, True),
    ("n_workloads", "workloads", True, False),
]
