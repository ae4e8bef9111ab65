"""Lesson 03's edit exercise, the pure part: layer lists checked, merged as overlayfs does, new digests found."""

from __future__ import annotations

import pytest

from widgets.models import imageedit, oci

SOLUTION = ["base", "app", "config", {"/srv/motd": "served from layer 4\n"}, {"/etc/os-release": None}]


def test_the_default_image_shows_its_four_files_and_has_no_new_layer():
    layers = imageedit.materialise(imageedit.check_edit(imageedit.DEFAULT))
    assert imageedit.merged_root(layers) == ["/bin/hello", "/etc/hello/config.json", "/etc/os-release", "/etc/passwd"]
    assert imageedit.new_layers(layers, layers) == []


def test_a_whiteout_hides_a_lower_file_and_a_new_file_appears():
    layers = imageedit.materialise(imageedit.check_edit(SOLUTION))
    root = imageedit.merged_root(layers)
    assert "/etc/os-release" not in root and "/srv/motd" in root
    original = imageedit.materialise(imageedit.DEFAULT)
    assert imageedit.new_layers(original, layers) == [4, 5]  # layers 1-3 keep their digests


def test_replacing_removing_and_reordering():
    original = imageedit.materialise(imageedit.DEFAULT)
    replaced = imageedit.materialise(imageedit.check_edit(["base", "app", {"/etc/os-release": "ID=new\n"}]))
    assert imageedit.merged_root(replaced) == ["/bin/hello", "/etc/os-release", "/etc/passwd"]
    assert imageedit.new_layers(original, replaced) == [3]
    moved = imageedit.materialise(imageedit.check_edit(["config", "base", "app"]))
    assert imageedit.new_layers(original, moved) == []  # a digest is content, not position
    whole_dir = imageedit.materialise(imageedit.check_edit(["base", "app", "config", {"/etc": None}]))
    assert imageedit.merged_root(whole_dir) == ["/bin/hello"]
    over = imageedit.materialise(imageedit.check_edit(["base", {"/etc/passwd/x": "a file under a file"}]))
    assert imageedit.merged_root(over) == ["/etc/os-release", "/etc/passwd/x"]


def test_whiteouts_are_written_as_the_image_spec_says():
    tar = oci.layer_tar({"etc/os-release": None})
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        assert [m.name for m in t.getmembers()] == ["etc", "etc/.wh.os-release"]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("base", "must be a list"),
        ({"base": 1}, "must be a list"),
        (None, "not set yet"),
        ([], "1 to 8 layers"),
        (["base"] + [{"/a": "x"}] * 8, "1 to 8 layers"),
        (["base", "base"], "listed twice"),
        (["kernel"], "not one of the image's layers"),
        ([{}], "or a mapping"),
        ([3], "or a mapping"),
        ([{"srv/motd": "x"}], "absolute text"),
        ([{"/srv/../../x": "x"}], "contains '..'"),
        ([{"/srv/motd": 3}], "needs text, bytes or None"),
        ([{"/big": "x" * 5000}], "at most 4,096"),
        ([{f"/f{i}": "x" for i in range(17)}], "at most 16"),
        ([{"/etc/.wh.passwd": ""}], "reserved for whiteouts"),
    ],
)
def test_bad_edits_say_what_was_expected(bad, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        imageedit.check_edit(bad)
