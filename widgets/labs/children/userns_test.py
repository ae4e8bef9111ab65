"""Can this user create a user namespace? Prints ``ok``, or the error and exits 1.

Run by :func:`widgets.labs.capabilities.capabilities` (see :mod:`widgets.labs.children`).
"""

import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000

if __name__ == "__main__":
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        print(os.strerror(ctypes.get_errno()))
        sys.exit(1)
    print("ok")
