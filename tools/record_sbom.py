"""Record the SBOM fallback of lesson 06: this environment exported by ``cyclonedx-py environment``.

Run on the build machine after ``make install`` (nothing else installed by hand):
``python -m tools.record_sbom``. It writes ``widgets/labs/recorded/sbom_<today>.json``, the tool's CycloneDX
document unchanged; point ``widgets.labs.sbom.RECORDING`` at the new date.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from widgets.labs.sbom import run_tool
from widgets.models.sbom import read_sbom

OUT = Path(__file__).resolve().parent.parent / "widgets" / "labs" / "recorded"


def main() -> int:
    doc = run_tool(validate_schema=True)
    path = OUT / f"sbom_{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{path.name}: {read_sbom(doc).words()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
