"""Helpers the density tests of several floors share."""

from __future__ import annotations

from widgets.models.density import PLATFORMS

#: Every numeric input: (argument, name in messages, zero allowed?)
NUMERIC = [
    ("host_cores", "host cores", False),
    ("host_memory_gib", "host memory", False),
    ("host_disk_gib", "host disk", False),
    ("app_memory_mib", "app memory", False),
    ("app_cpu", "app CPU", False),
    ("app_disk_mib", "app disk", True),
    ("guest_os_memory_mib", "guest OS memory", True),
    ("guest_os_disk_gib", "guest OS disk", True),
]


ALL = list(PLATFORMS)
