"""Image layers: storage with and without shared layers against VMs, pull time against a VM image copy,
and the seeded 'which layers must be pulled?' practice. Hand-computed values, data read independently
of widgets.core.data, hostile inputs through the models and the widgets."""

from __future__ import annotations

import math

import pytest

from tests.unit.support.layers import SIZES, read_csv
from widgets.core import data
from widgets.models.layers import (
    EXAMPLE_BASES,
    ImageSpec,
    Layer,
    app_image,
    base_layer,
    catalog,
    example_storage,
    pull_time,
    storage,
)

#: (value, words in the message) for any numeric input.
HOSTILE = [
    (-5, "must not be negative"),
    (float("nan"), "not a number"),
    (float("inf"), "finite"),
    (-math.inf, "finite"),
    (1e30, "at most"),
    ([1], "must be a number"),
    ("", "empty"),
    ("abc", "must be a number"),
    (True, "must be a number"),
    (None, "must be a number"),
]


RATES = read_csv("image_transfer_rates.csv")


def test_default_example_uses_the_cited_compressed_sizes():
    py, ng, al = (float(SIZES[r]["size_mb"]) for r in EXAMPLE_BASES.values())
    assert (py, ng, al) == (43.0, 63.1, 3.8)
    assert all(SIZES[r]["measure"] == "compressed" for r in EXAMPLE_BASES.values())
    s = example_storage()
    assert s.shared_mb == pytest.approx(py + ng + al + 6 * 5)  # 139.9
    assert s.unshared_mb == pytest.approx(3 * py + 2 * ng + al + 6 * 5)  # 289.0
    assert s.savings_pct == pytest.approx(100 * (1 - 139.9 / 289.0))
    assert s.vm_mb == pytest.approx(6 * 2005)
    assert [seg[0] for seg in s.segments] == [
        "python:3.13-slim base layer",
        "nginx:latest base layer",
        "alpine:latest base layer",
        "app and upper layers",
    ]
    cite = data.load("image_sizes").cite(data.load("image_sizes").row(id="nginx_latest_compressed"))
    assert s.segments[1][3] == cite and "Docker official images" in cite
    assert base_layer("nginx_latest_compressed") == Layer("nginx:latest", 63.1, "compressed", cite)


def test_distinct_layers_are_stored_once_across_any_images():
    base, lib = Layer("os", 30), Layer("lib", 10)
    images = [
        ImageSpec("a", (base, lib, Layer("a-code", 1))),
        ImageSpec("b", (base, lib, Layer("b-code", 2))),
        ImageSpec("c", (Layer("other-os", 20), Layer("c-code", 3))),
    ]
    s = storage(images, n_vms=1, guest_os_gb=1, app_gb=0)
    assert s.shared_mb == pytest.approx(30 + 10 + 1 + 2 + 20 + 3)
    assert s.unshared_mb == pytest.approx(41 + 42 + 23)
    assert [a for _, _, a in s.per_image] == pytest.approx([41, 2, 23])
    assert [seg[:3] for seg in s.segments] == [
        ("os base layer", 30, 60),
        ("other-os base layer", 20, 20),
        ("app and upper layers", pytest.approx(16), pytest.approx(26)),
    ]
    assert storage(images[:1], 1, 1, 0).savings_pct == 0
    text_sizes = storage([ImageSpec("t", (Layer("x", "2.5"),))], 1, 1, 0)  # numeric text is accepted
    assert text_sizes.shared_mb == 2.5 and text_sizes.images[0].layers[0].size_mb == 2.5


def test_compressed_and_on_disk_sizes_are_never_mixed():
    compressed, on_disk = base_layer("alpine_latest_compressed"), base_layer("alpine_3.24.2_on_disk")
    assert (compressed.measure, on_disk.measure) == ("compressed", "on-disk")
    with pytest.raises(ValueError, match="do not mix compressed and on-disk sizes"):
        storage([ImageSpec("a", (compressed,)), ImageSpec("b", (on_disk,))], 1, 1, 0)
    only_on_disk = storage([app_image(on_disk, "svc", 1)], 1, 1, 0)
    assert only_on_disk.measure == "on-disk" and only_on_disk.shared_mb == pytest.approx(9.42)
    assert only_on_disk.images[0].layers[1].measure == "on-disk"  # the app layer takes its base's measure
    assert all(la.measure == "compressed" for im in catalog().values() for la in im.layers)
    assert {im.layers[0].name for im in catalog().values()} == {
        f"{r['image']}:{r['tag']}" for r in SIZES.values() if r["measure"] == "compressed"
    }


def test_one_name_must_mean_one_size():
    with pytest.raises(ValueError, match="layer os has two sizes"):
        storage([ImageSpec("a", (Layer("os", 30),)), ImageSpec("b", (Layer("os", 31),))], 1, 1, 0)


@pytest.mark.parametrize(
    ("arg", "name"), [("n_vms", "number of VMs"), ("guest_os_gb", "guest OS size"), ("app_gb", "VM app size")]
)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_storage_refuses_hostile_numbers(arg, name, value, words):
    args = {"images": [ImageSpec("a", (Layer("os", 30),))], "n_vms": 2, "guest_os_gb": 2, "app_gb": 0}
    if arg == "n_vms" and value == -5:
        words = "at least 1"
    with pytest.raises(ValueError, match=name) as err:
        storage(**{**args, arg: value})
    assert words in str(err.value)


@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_storage_refuses_hostile_layer_sizes(value, words):
    with pytest.raises(ValueError, match=f"size of layer os .*{words}"):
        storage([ImageSpec("a", (Layer("os", value),))], 1, 1, 0)


@pytest.mark.parametrize(
    ("images", "words"),
    [
        ([], "non-empty list"),
        ("abc", "non-empty list"),
        (None, "non-empty list"),
        (5, "non-empty list"),
        ([ImageSpec("a", ())], "at least one"),
        (["a"], "ImageSpec"),
        ([ImageSpec("a", ("os",))], "Layers"),
        ([ImageSpec("a", (Layer("", 1),))], "Layers"),
    ],
)
def test_storage_refuses_hostile_images(images, words):
    with pytest.raises(ValueError, match=words):
        storage(images, 1, 1, 0)


def test_storage_refuses_zero_os_and_non_bool_clones():
    with pytest.raises(ValueError, match="guest OS size must not be zero"):
        example_storage(guest_os_gb=0)
    with pytest.raises(ValueError, match="linked clones must be True or False"):
        example_storage(linked_clones=1)
    with pytest.raises(ValueError, match="choose at least one service"):
        example_storage(n_python=0, n_nginx=0, n_alpine=0)


@pytest.mark.parametrize("arg", ["n_python", "n_nginx", "n_alpine", "app_mb", "n_vms", "guest_os_gb"])
@pytest.mark.parametrize(("value", "_words"), HOSTILE)
def test_example_storage_refuses_hostile_values(arg, value, _words):
    with pytest.raises(ValueError) as err:
        example_storage(**{arg: value})
    name = {"app_mb": "app layer size", "n_vms": "number of VMs", "guest_os_gb": "guest OS size"}.get(
        arg, f"services on {arg[2:]}"
    )
    assert str(err.value).startswith(name)
    with pytest.raises(ValueError, match="whole number"):
        example_storage(n_python=1.5)


def test_nginx_pull_at_100_mbit_by_hand():
    p = pull_time("nginx:latest", [], 100)
    assert float(SIZES["nginx_latest_compressed"]["size_mb"]) == 63.1
    assert p.bars[0] == ("container image, cold host", 63.1, pytest.approx(5.048))  # 63.1 MB × 8 / 100 Mbit/s
    assert p.bars[1][1:] == (0, 0)  # a one-layer image: with its base cached, nothing is left to pull
    assert p.pull_mb == 63.1 and p.cached == ()


def test_app_on_a_cached_base_pulls_only_the_app_layer():
    cold = pull_time("your app on python:3.13-slim", [], 100, app_mb=5)
    assert cold.bars[0][1:] == (pytest.approx(48), pytest.approx(3.84))  # 48 MB × 8 / 100
    assert cold.bars[1][1:] == (pytest.approx(5), pytest.approx(0.4))
    warm = pull_time("your app on python:3.13-slim", ["alpine:latest", "python:3.13-slim"], 100, app_mb=5)
    assert warm.pull_mb == pytest.approx(5) and warm.bars[2][2] == pytest.approx(0.4)
    assert warm.cached == (("python:3.13-slim", "python:3.13-slim"),)
    assert [la.name for la in warm.to_pull] == ["your app layer (python:3.13-slim)"]
    via_app = pull_time("your app on nginx:latest", {"your app on nginx:latest"}, 50)
    assert via_app.pull_mb == 0 and via_app.bars[2][2] == 0  # already there
    unrelated = pull_time("your app on python:3.13-slim", ["your app on nginx:latest"], 100)
    assert unrelated.cached == () and unrelated.pull_mb == pytest.approx(48)


@pytest.mark.parametrize(("rate", "seconds"), [("ec2", 2000 / 10.9), ("azure", 2000 / 1.1), ("rackspace", 2000 / 22.5)])
def test_vm_image_copy_at_the_measured_rates(rate, seconds):
    p = pull_time(vm_image_gb=2, vm_rate=rate)  # 2 GB = 2000 MB (decimal)
    assert p.vm_rate_mb_s == float(RATES[rate]["rate_mb_per_s"])
    assert p.bars[3] == ("VM image copy", 2000, pytest.approx(seconds))
    assert p.vm_cite == "M. Mao 2012" and p.vm_provider == RATES[rate]["provider"]
    assert pull_time(vm_image_gb=2).bars[3][2] == pytest.approx(183.49, abs=0.01)


@pytest.mark.parametrize(
    ("arg", "name"), [("bandwidth_mbit_s", "bandwidth"), ("vm_image_gb", "VM image size"), ("app_mb", "app layer size")]
)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_pull_time_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=name) as err:
        pull_time(**{arg: value})
    assert words in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"bandwidth_mbit_s": 0}, "bandwidth must not be zero"),
        ({"vm_image_gb": "0"}, "VM image size must not be zero"),
        ({"image": "toaster:1"}, "image must be one of"),
        ({"image": None}, "image must be one of"),
        ({"already_present": "alpine:latest"}, "must be a list"),
        ({"already_present": None}, "must be a list"),
        ({"already_present": ["toaster"]}, "already present image must be one of"),
        ({"already_present": [3]}, "already present image"),
        ({"vm_rate": "custom"}, "VM transfer rate must be one"),
        ({"vm_rate": True}, "VM transfer rate must be one"),
    ],
)
def test_pull_time_refuses_bad_choices(kwargs, words):
    with pytest.raises(ValueError, match=words):
        pull_time(**kwargs)
