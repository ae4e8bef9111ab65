"""Linux capabilities by name, and the decoding of a capability mask from ``/proc/<pid>/status``."""

from __future__ import annotations

import re

# Bit number -> name, from the Linux UAPI header include/uapi/linux/capability.h (CAP_CHOWN 0 ... CAP_LAST_CAP 40).
CAPABILITIES = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
)


def decode_caps(hex_mask: str) -> tuple[str, ...]:
    """Capability names in a hex mask as ``/proc/<pid>/status`` shows it (bit n -> ``CAPABILITIES[n]``).

    Parameters
    ----------
    hex_mask:
        1 to 16 hex digits (64 bits), e.g. ``"00000000a80425fb"``, optionally prefixed ``0x``. Bits beyond the
        known names decode as ``"CAP_<n>"``.

    Raises
    ------
    ValueError
        If ``hex_mask`` is not text of 1 to 16 hex digits.
    """
    if not isinstance(hex_mask, str):
        raise ValueError(f"hex_mask must be text of hex digits, e.g. '00000000a80425fb'; got {type(hex_mask).__name__}")
    text = hex_mask.strip().lower().removeprefix("0x")
    if not text:
        raise ValueError("hex_mask is empty: give 1 to 16 hex digits, e.g. '00000000a80425fb'")
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", text):
        why = "more than 16 digits (64 bits)" if re.fullmatch(r"[0-9a-fA-F]+", text) else "not hex digits"
        raise ValueError(f"hex_mask must be 1 to 16 hex digits 0-9, a-f; got {hex_mask!r} ({why})")
    return tuple(CAPABILITIES[b] if b < len(CAPABILITIES) else f"CAP_{b}" for b in range(64) if int(text, 16) >> b & 1)
