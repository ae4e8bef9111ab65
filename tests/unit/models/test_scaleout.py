"""Scale-out after a step in demand: instances, batches, ramp times and lost
requests computed by hand, scale-in, the cited start times, hostile inputs
through the model and the widget, and the time axis toggle."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.scaleout import DOCKER_S, NUMERIC
from widgets.models.scaleout import scale_out


def test_no_headroom_and_from_zero():
    s = scale_out(current_rps=0, new_rps=100, capacity_rps=100, headroom_pct=0, parallel_starts=1)
    assert (s.before, s.after, s.batches) == (0, 1, 1)
    assert s.lost("container") == pytest.approx(100 * DOCKER_S) and s.meets_s("container") == pytest.approx(DOCKER_S)
    assert scale_out(current_rps=300, new_rps=300.1, capacity_rps=100, headroom_pct=10).after == 4  # 330.1 / 100


@pytest.mark.parametrize(
    ("row", "seconds"),
    [
        ("ec2_windows_m1small", 810.2),
        ("rackspace_linux", 44.2),
        ("firecracker_boot_to_init", 0.125),
    ],
)
def test_other_vm_rows(row, seconds):
    s = scale_out(vm_start=row)
    assert s.vm.seconds == seconds and s.ready_s("vm") == pytest.approx(3 * seconds)
    assert s.lost("vm") == pytest.approx(3000 * seconds)


@pytest.mark.parametrize(("row", "seconds"), [("node_app_start_runc", 2.558), ("ruby_app_start_runc", 2.5301)])
def test_other_container_rows(row, seconds):
    s = scale_out(container_start=row)
    assert s.container.seconds == seconds and s.ready_s("container") == pytest.approx(3 * seconds)
    assert s.container.cite == "gVisor authors (Google) 2020"


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        scale_out(**{arg: value})
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"capacity_rps": 0}, "capacity per instance must not be zero"),
        ({"parallel_starts": 0}, "parallel starts must be at least 1"),
        ({"parallel_starts": 2.5}, "parallel starts must be a whole number"),
        ({"new_rps": 1e9, "capacity_rps": 1}, "instances, more than 100,000"),
        ({"new_rps": 6e6, "capacity_rps": 100, "parallel_starts": 1}, "start batches"),
        ({"vm_start": "docker_run_alpine_true_runc"}, "VM start time must be one of"),
        ({"container_start": "rackspace_linux"}, "container start time must be one of"),
    ],
)
def test_model_refuses_bad_sizes_and_rows(kw, words):
    with pytest.raises(ValueError, match=words):
        scale_out(**kw)
