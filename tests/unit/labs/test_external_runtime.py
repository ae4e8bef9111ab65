"""Tools nobody here wrote: Debian's runc runs the same bundle with the same output; skopeo and umoci accept
the lesson-03 layout, now that its entrypoint is the program the image contains."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.unit.support.runtime import NO_USERNS, run_with_runc, runc_reason
from widgets.labs import oci, runtime
from widgets.models import bundle
from widgets.models.hello import parse_report

RUNC = runc_reason() or NO_USERNS


@pytest.mark.live
@pytest.mark.skipif(bool(RUNC), reason=RUNC or "-")
@pytest.mark.parametrize("args", [(), ("/etc/os-release",), ("eat",)], ids=["report", "write", "oom"])
def test_runc_runs_the_same_bundle_with_the_same_output(args):
    with runtime.prepared() as (work, image):
        cgroups = (
            {"memory_mib": 24, "cgroups_path": f"/{runtime.MARKER}-runc-{os.getpid()}"} if args == ("eat",) else {}
        )
        cfg = bundle.make_config(
            ["/bin/hello", *args], uid=runtime.run_as(), gid=runtime.run_as(), arch=oci.host_arch(), **cgroups
        )
        b = runtime.write_bundle(work / "bundle", cfg)
        ours = runtime.run_bundle(b, image)
        theirs, upper = run_with_runc(b, image.overlay_lowers, work, f"cvm-test-{os.getpid()}-{len(args)}")
        assert theirs.stdout == ours.output, theirs.stderr[-2000:]
        if args == ("eat",):
            assert theirs.returncode == 128 + 9 and ours.exit == {"signal": 9}  # both OOM-killed at the same MiB
            assert parse_report(theirs.stdout)["mib"] < 24
        else:
            assert theirs.returncode == 0 and ours.exit == {"code": 0}
            assert parse_report(theirs.stdout)["pid"] == 1
        if args == ("/etc/os-release",):
            assert (upper / "etc" / "os-release").read_text() == "written inside the container\n"


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed (.ci/run installs it)")
def test_skopeo_inspects_the_layout_and_sees_its_entrypoint():
    with oci.lab() as image:
        out = subprocess.run(
            ["skopeo", "inspect", "--config", f"oci:{image.root}:1.0"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        raw = subprocess.run(
            ["skopeo", "inspect", f"oci:{image.root}:1.0"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    config = json.loads(out)
    assert config["config"]["Entrypoint"] == ["/bin/hello"] and json.loads(raw)["Layers"] == [
        b.digest for b in image.layers
    ]


@pytest.mark.skipif(shutil.which("umoci") is None, reason="umoci is not installed (.ci/run installs it)")
def test_umoci_unpacks_the_layout_rootless_with_the_program_in_it(tmp_path):
    with oci.lab() as image:
        proc = subprocess.run(
            ["umoci", "unpack", "--rootless", "--image", f"{image.root}:1.0", str(tmp_path / "b")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    hello = tmp_path / "b" / "rootfs" / "bin" / "hello"
    assert hello.read_bytes()[:4] == b"\x7fELF" and os.access(hello, os.X_OK)
    assert json.loads((tmp_path / "b" / "config.json").read_text())["process"]["args"] == ["/bin/hello"]
