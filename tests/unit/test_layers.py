"""Image layers: storage with and without shared layers against VMs, pull time against a VM image copy,
and the seeded 'which layers must be pulled?' practice. Hand-computed values, data read independently
of widgets.data, hostile inputs through the models and the widgets."""

from __future__ import annotations

import csv
import math

import pytest

from tests.hostile import HOSTILE_TEXT
from widgets import data
from widgets.layers import (
    EXAMPLE_BASES,
    MEASURE,
    ImageSpec,
    Layer,
    PullCalculator,
    StorageCalculator,
    app_image,
    base_layer,
    catalog,
    check_layers,
    example_storage,
    layer_problem,
    pull_figure,
    pull_time,
    storage,
    storage_figure,
    summarize_pull,
    summarize_storage,
)
from widgets.provisioning import ILLUSTRATIVE
from widgets.theme import COLORS

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


def read_csv(name: str) -> dict[str, dict[str, str]]:
    """A data file read with the csv module alone (independent of widgets.data)."""
    with open(data.data_dir() / name, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


SIZES = read_csv("image_sizes.csv")
RATES = read_csv("image_transfer_rates.csv")


# -- storage, by hand -------------------------------------------------------------------------------------------


def test_three_images_on_one_base_by_hand():
    s = example_storage(n_python=3, n_nginx=0, n_alpine=0, app_mb=5, n_vms=3, guest_os_gb=2)
    assert float(SIZES["python_3.13-slim_compressed"]["size_mb"]) == 43.0
    assert s.shared_mb == pytest.approx(58)  # 43 + 3 × 5
    assert s.unshared_mb == pytest.approx(144)  # 3 × 48
    assert s.savings_pct == pytest.approx(59.72, abs=0.01)  # 1 - 58/144
    assert [(n, pytest.approx(t), pytest.approx(a)) for n, t, a in s.per_image] == [
        ("service 1 on python:3.13-slim", 48, 48), ("service 2 on python:3.13-slim", 48, 5),
        ("service 3 on python:3.13-slim", 48, 5)]
    assert s.segments[0][:3] == ("python:3.13-slim base layer", 43.0, pytest.approx(129))
    assert s.segments[1][:3] == ("app and upper layers", pytest.approx(15), pytest.approx(15))
    assert s.vm_os_mb == 6000 and s.vm_app_mb == pytest.approx(15) and s.vm_mb == pytest.approx(6015)  # 3 × 2005
    assert s.measure == MEASURE == "compressed"
    assert summarize_storage(s) == (
        "Sharing base layers, the 3 container images store 58.0 MB of compressed layers instead of 144.0 MB "
        "(59.7% less); 3 VMs each with its own guest-OS disk of 2 GB (illustrative assumption, set your own) "
        "store 6,015.0 MB.")


def test_linked_clones_let_vms_share_the_os_disk():
    s = example_storage(n_python=3, n_nginx=0, n_alpine=0, app_mb=5, n_vms=3, guest_os_gb=2, linked_clones=True)
    assert s.vm_os_mb == 2000 and s.vm_mb == pytest.approx(2015)  # one base disk + 3 × 5 MB
    assert "sharing one base OS disk (linked clones)" in summarize_storage(s)


def test_default_example_uses_the_cited_compressed_sizes():
    py, ng, al = (float(SIZES[r]["size_mb"]) for r in EXAMPLE_BASES.values())
    assert (py, ng, al) == (43.0, 63.1, 3.8)
    assert all(SIZES[r]["measure"] == "compressed" for r in EXAMPLE_BASES.values())
    s = example_storage()
    assert s.shared_mb == pytest.approx(py + ng + al + 6 * 5)  # 139.9
    assert s.unshared_mb == pytest.approx(3 * py + 2 * ng + al + 6 * 5)  # 289.0
    assert s.savings_pct == pytest.approx(100 * (1 - 139.9 / 289.0))
    assert s.vm_mb == pytest.approx(6 * 2005)
    assert [seg[0] for seg in s.segments] == ["python:3.13-slim base layer", "nginx:latest base layer",
                                              "alpine:latest base layer", "app and upper layers"]
    cite = data.load("image_sizes").cite(data.load("image_sizes").row(id="nginx_latest_compressed"))
    assert s.segments[1][3] == cite and "Docker official images" in cite
    assert base_layer("nginx_latest_compressed") == Layer("nginx:latest", 63.1, "compressed", cite)


def test_distinct_layers_are_stored_once_across_any_images():
    base, lib = Layer("os", 30), Layer("lib", 10)
    images = [ImageSpec("a", (base, lib, Layer("a-code", 1))), ImageSpec("b", (base, lib, Layer("b-code", 2))),
              ImageSpec("c", (Layer("other-os", 20), Layer("c-code", 3)))]
    s = storage(images, n_vms=1, guest_os_gb=1, app_gb=0)
    assert s.shared_mb == pytest.approx(30 + 10 + 1 + 2 + 20 + 3)
    assert s.unshared_mb == pytest.approx(41 + 42 + 23)
    assert [a for _, _, a in s.per_image] == pytest.approx([41, 2, 23])
    assert [seg[:3] for seg in s.segments] == [("os base layer", 30, 60), ("other-os base layer", 20, 20),
                                               ("app and upper layers", pytest.approx(16), pytest.approx(26))]
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
        f"{r['image']}:{r['tag']}" for r in SIZES.values() if r["measure"] == "compressed"}


def test_one_name_must_mean_one_size():
    with pytest.raises(ValueError, match="layer os has two sizes"):
        storage([ImageSpec("a", (Layer("os", 30),)), ImageSpec("b", (Layer("os", 31),))], 1, 1, 0)


@pytest.mark.parametrize(("arg", "name"), [("n_vms", "number of VMs"), ("guest_os_gb", "guest OS size"),
                                           ("app_gb", "VM app size")])
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


@pytest.mark.parametrize(("images", "words"), [
    ([], "non-empty list"), ("abc", "non-empty list"), (None, "non-empty list"), (5, "non-empty list"),
    ([ImageSpec("a", ())], "at least one"), (["a"], "ImageSpec"), ([ImageSpec("a", ("os",))], "Layers"),
    ([ImageSpec("a", (Layer("", 1),))], "Layers"),
])
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
        arg, f"services on {arg[2:]}")
    assert str(err.value).startswith(name)
    with pytest.raises(ValueError, match="whole number"):
        example_storage(n_python=1.5)


def test_storage_figure_shows_base_segments_and_totals():
    s = example_storage()
    fig = storage_figure(s)
    *cont, vm_os, vm_app = fig.data
    assert [tr.name for tr in cont] == [seg[0] for seg in s.segments]
    assert sum(tr.y[0] for tr in cont) == pytest.approx(s.shared_mb)
    assert sum(tr.y[1] for tr in cont) == pytest.approx(s.unshared_mb)
    assert vm_os.y[0] + vm_app.y[0] == pytest.approx(s.vm_mb) and vm_os.x[0] == "VMs"
    assert {tr.marker.color for tr in cont} == {COLORS["container"]}
    assert vm_os.marker.color == vm_app.marker.color == COLORS["vm"]
    assert len({tr.marker.pattern.shape for tr in cont}) == len(cont)  # base layers visible as segments
    assert "MB" in fig.layout.yaxis.title.text and "compressed" in fig.layout.yaxis.title.text
    assert [a.text for a in fig.layout.annotations] == ["139.9 MB", "289.0 MB", "12,030.0 MB"]
    assert fig.layout.barmode == "stack" and fig.layout.title.text


# -- pull time, by hand -----------------------------------------------------------------------------------------


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


@pytest.mark.parametrize(("rate", "seconds"), [("ec2", 2000 / 10.9), ("azure", 2000 / 1.1),
                                               ("rackspace", 2000 / 22.5)])
def test_vm_image_copy_at_the_measured_rates(rate, seconds):
    p = pull_time(vm_image_gb=2, vm_rate=rate)  # 2 GB = 2000 MB (decimal)
    assert p.vm_rate_mb_s == float(RATES[rate]["rate_mb_per_s"])
    assert p.bars[3] == ("VM image copy", 2000, pytest.approx(seconds))
    assert p.vm_cite == "M. Mao 2012" and p.vm_provider == RATES[rate]["provider"]
    assert pull_time(vm_image_gb=2).bars[3][2] == pytest.approx(183.49, abs=0.01)


def test_pull_summary_and_figure():
    p = pull_time()
    assert summarize_pull(p) == (
        "Pulling your app on python:3.13-slim onto your host (no layer cached) moves 48.0 MB in 3.84 s at "
        "100 Mbit/s (illustrative assumption, set your own); copying a 2 GB VM image at the 10.9 MB/s measured "
        "for EC2 (M. Mao 2012) takes 3.06 min.")
    fig = pull_figure(pull_time(already_present=["python:3.13-slim"]))
    bars = fig.data[0]
    assert list(bars.y) == ["container image, cold host", "container image, base layers cached",
                            "container image, your host", "VM image copy"]
    assert list(bars.x) == pytest.approx([3.84, 0.4, 0.4, 2000 / 10.9])
    assert list(bars.marker.color) == [COLORS["container"]] * 3 + [COLORS["vm"]]
    assert "M. Mao 2012" in bars.customdata[3] and ILLUSTRATIVE in bars.customdata[0]
    assert fig.layout.xaxis.title.text == "time (s)"


@pytest.mark.parametrize(("arg", "name"), [("bandwidth_mbit_s", "bandwidth"), ("vm_image_gb", "VM image size"),
                                           ("app_mb", "app layer size")])
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_pull_time_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=name) as err:
        pull_time(**{arg: value})
    assert words in str(err.value)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"bandwidth_mbit_s": 0}, "bandwidth must not be zero"), ({"vm_image_gb": "0"}, "VM image size must not be zero"),
    ({"image": "toaster:1"}, "image must be one of"), ({"image": None}, "image must be one of"),
    ({"already_present": "alpine:latest"}, "must be a list"), ({"already_present": None}, "must be a list"),
    ({"already_present": ["toaster"]}, "already present image must be one of"),
    ({"already_present": [3]}, "already present image"), ({"vm_rate": "custom"}, "VM transfer rate must be one"),
    ({"vm_rate": True}, "VM transfer rate must be one"),
])
def test_pull_time_refuses_bad_choices(kwargs, words):
    with pytest.raises(ValueError, match=words):
        pull_time(**kwargs)


# -- the widgets ------------------------------------------------------------------------------------------------


def snapshot(calc):
    return [(list(tr.x), list(tr.y)) for tr in calc.figure.data], calc.summary.value


def test_storage_widget_starts_redraws_and_toggles():
    calc = StorageCalculator()
    assert calc.error is None and calc.last_exception is None and "cvm-storage" in calc._dom_classes
    assert calc.result == example_storage()
    assert ILLUSTRATIVE in calc.controls["guest_os_gb"].tooltip and ILLUSTRATIVE in calc.children[0].value
    calc.controls["linked_clones"].value = True
    assert calc.figure.data[-2].y[0] == 2000 and "linked clones" in calc.figure.data[-2].name
    calc.controls["n_nginx"].value = 0
    assert calc.result.shared_mb == pytest.approx(43 + 3.8 + 4 * 5)
    assert [tr.name for tr in calc.figure.data[:4]] == ["python:3.13-slim base layer", "alpine:latest base layer",
                                                       "app and upper layers", ""]
    for key in EXAMPLE_BASES:
        calc.controls[key].value = 0
    assert calc.error == "choose at least one service" and calc.last_exception is None
    calc.controls["n_alpine"].value = 2
    assert calc.error is None and calc.result.unshared_mb == pytest.approx(2 * 8.8)


@pytest.mark.parametrize("arg", ["app_mb", "guest_os_gb"])
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_storage_widget_hostile_text_keeps_last_good_figure(arg, text):
    calc = StorageCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    name = {"app_mb": "app layer size", "guest_os_gb": "guest OS size"}[arg]
    assert calc.error and calc.error.startswith(name), calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and calc.status.value == "" and snapshot(calc) == before


def test_pull_widget_starts_and_redraws():
    calc = PullCalculator()
    assert calc.error is None and calc.last_exception is None and "cvm-pull" in calc._dom_classes
    assert calc.result == pull_time()
    calc.controls["already_present"].value = ("python:3.13-slim",)
    assert list(calc.figure.data[0].x)[2] == pytest.approx(0.4)
    calc.controls["vm_rate"].value = "azure"
    assert list(calc.figure.data[0].x)[3] == pytest.approx(2000 / 1.1)
    calc.controls["image"].value = "nginx:latest"
    assert list(calc.figure.data[0].x)[0] == pytest.approx(5.048)
    assert [o[1] for o in calc.controls["vm_rate"].options] == ["ec2", "azure", "rackspace"]


@pytest.mark.parametrize(("arg", "name"), [("bandwidth_mbit_s", "bandwidth"), ("vm_image_gb", "VM image size"),
                                           ("app_mb", "app layer size")])
@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_pull_widget_hostile_text_keeps_last_good_figure(arg, name, text):
    calc = PullCalculator()
    before = snapshot(calc)
    good = calc.controls[arg].value
    calc.controls[arg].value = text
    assert calc.error and calc.error.startswith(name), calc.error
    assert "last valid input" in calc.status.value and snapshot(calc) == before and calc.last_exception is None
    calc.controls[arg].value = good
    assert calc.error is None and snapshot(calc) == before


def test_pull_widget_zero_bandwidth_is_refused_then_recovers():
    calc = PullCalculator()
    calc.controls["bandwidth_mbit_s"].value = "0"
    assert calc.error == "bandwidth must not be zero" and calc.last_exception is None
    calc.controls["bandwidth_mbit_s"].value = "1000"
    assert calc.error is None and list(calc.figure.data[0].x)[0] == pytest.approx(0.384)


# -- practice ---------------------------------------------------------------------------------------------------


def test_layer_problem_seed_1_by_hand():
    p = layer_problem(1)
    assert [im.name for im in p.host] == ["auth:2.7", "web:2.9"] and p.image.name == "api:1.0"
    assert [(la.name, la.size_mb) for la in p.image.layers] == [
        ("base-os-slim", 59.1), ("python-runtime", 49.4), ("python-deps-api", 37.7), ("api-code", 2.0)]
    assert [la.name for la in p.host[0].layers[:2]] == ["base-os-slim", "python-runtime"]
    assert [la.name for la in p.to_pull] == ["python-deps-api", "api-code"]
    assert p.pull_mb == 39.7  # 37.7 + 2.0
    assert p.answer() == ("Pull python-deps-api, api-code: 39.7 MB. base-os-slim is already there (pulled by "
                          "auth:2.7); python-runtime is already there (pulled by auth:2.7).")
    assert "synthetic" in p.show() and p.show().splitlines()[-2].startswith("You pull api:1.0: base-os-slim")


def test_layer_problems_are_deterministic_varied_and_consistent():
    assert layer_problem(7) == layer_problem(7) and layer_problem(7).show() == layer_problem("7").show()
    shown = {layer_problem(seed).show() for seed in range(40)}
    assert len(shown) == 40
    for seed in range(200):
        p = layer_problem(seed)
        sizes: dict[str, float] = {}
        for im in (*p.host, p.image):
            for la in im.layers:
                assert sizes.setdefault(la.name, la.size_mb) == la.size_mb and la.measure == "synthetic"
        host_layers = {la.name for im in p.host for la in im.layers}
        assert {la.name for la in p.to_pull} == {la.name for la in p.image.layers} - host_layers
        assert p.image.layers[0].name in host_layers  # the base is always there
        assert p.image.layers[-1] in p.to_pull and 2 <= len(p.host) <= 3
        assert p.pull_mb == pytest.approx(sum(la.size_mb for la in p.to_pull), abs=0.05)
    assert len({len(layer_problem(s).to_pull) for s in range(200)}) >= 3  # 1, 2 or 3 layers to pull


@pytest.mark.parametrize("seed", [-1, "abc", 1.5, True, float("nan"), None, 10**10])
def test_layer_problem_refuses_hostile_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        layer_problem(seed)


@pytest.mark.parametrize("answer", [{"python-deps-api", "api-code"}, ["api-code", "python-deps-api"],
                                    ("python-deps-api", " api-code "), "python-deps-api, api-code",
                                    39.7, "39.7", " 39.7 MB ", 39.72])
def test_check_layers_accepts_names_and_mb(answer):
    fb = check_layers(answer, 1)
    assert fb.correct, fb
    assert "already there (pulled by auth:2.7)" in fb.message


def test_check_layers_names_extra_and_missing_layers():
    fb = check_layers(["base-os-slim", "api-code"], 1)
    assert not fb.correct
    assert "base-os-slim is already on the host: pulled by auth:2.7" in fb.message
    assert "python-deps-api is missing: no image on the host has it" in fb.message
    fb = check_layers({"python-runtime", "python-deps-api", "api-code"}, 1)
    assert fb.message == "python-runtime is already on the host: pulled by auth:2.7."
    fb = check_layers(["base-os", "api-code"], 1)
    assert "base-os: not a layer of api:1.0" in fb.message and "base-os-slim" in fb.hint


@pytest.mark.parametrize(("answer", "status", "words"), [
    (None, "missing", "still empty"), (..., "missing", "still empty"), ("", "missing", "still empty"),
    ([], "missing", "still empty"), (set(), "missing", "still empty"),
    (39700, "incorrect", "unit is not"), (78.7, "incorrect", "too large"), (-39.7, "incorrect", "wrong sign"),
    ("nan", "incorrect", "not a number"), (float("inf"), "incorrect", "finite"), (True, "incorrect", "got True"),
    ({"a": 1}, "incorrect", "expected layer names"), ([1, 2], "incorrect", "expected layer names"),
    ("abc", "incorrect", "not a layer"),
])
def test_check_layers_hostile_and_wrong_answers(answer, status, words):
    fb = check_layers(answer, 1)
    assert fb.status == status and words in fb.message, fb


def test_check_layers_follows_the_seed():
    for seed in range(30):
        p = layer_problem(seed)
        assert check_layers([la.name for la in p.to_pull], seed).correct
        assert check_layers(p.pull_mb, seed).correct
        assert not check_layers([la.name for la in p.image.layers], seed).correct
