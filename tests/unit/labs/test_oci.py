"""A real OCI image layout, checked against the spec, by hand and after tampering."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from widgets.labs import oci
from widgets.models import oci as oci_model
from widgets.models.elf import entrypoint


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_path(root: Path, digest: str) -> Path:
    return root / "blobs" / "sha256" / digest.removeprefix("sha256:")


def load(root: Path, digest: str) -> dict:
    return json.loads(blob_path(root, digest).read_bytes())


def rewrite_manifest(root: Path, change) -> str:
    """Change the manifest, store it as a new blob and point index.json at it (a consistent forgery)."""
    index = json.loads((root / "index.json").read_bytes())
    desc = index["manifests"][0]
    manifest = load(root, desc["digest"])
    change(manifest)
    data = json.dumps(manifest).encode()
    blob_path(root, sha(data)).write_bytes(data)
    desc.update(digest=sha(data), size=len(data))
    (root / "index.json").write_text(json.dumps(index))
    return sha(data)


def rewrite_config(root: Path, change) -> None:
    def fix(manifest: dict) -> None:
        config = load(root, manifest["config"]["digest"])
        change(config)
        data = json.dumps(config).encode()
        blob_path(root, sha(data)).write_bytes(data)
        manifest["config"].update(digest=sha(data), size=len(data))

    rewrite_manifest(root, fix)


def hand_made_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in (("docs", None), ("docs/hello.txt", b"hi\n")):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode, info.size = 0o644, len(content)
                tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def test_layout_holds_exactly_the_required_files_and_every_digest_and_size_is_true(image):
    root = image.root
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    blobs = {f for f in files if f.startswith("blobs/sha256/")}
    assert files == {"oci-layout", "index.json"} | blobs
    assert all(re.fullmatch(r"blobs/sha256/[a-f0-9]{64}", f) for f in blobs) and len(blobs) == 2 + 3
    assert json.loads((root / "oci-layout").read_bytes()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((root / "index.json").read_bytes())
    assert index["schemaVersion"] == 2 and index["mediaType"] == oci_model.INDEX_TYPE
    (desc,) = index["manifests"]
    assert desc["annotations"][oci_model.REF_NAME] == "1.0"
    descriptors = [desc]
    manifest = load(root, desc["digest"])
    assert manifest["schemaVersion"] == 2 and manifest["mediaType"] == desc["mediaType"] == oci_model.MANIFEST_TYPE
    assert manifest["config"]["mediaType"] == oci_model.CONFIG_TYPE
    assert [d["mediaType"] for d in manifest["layers"]] == [oci_model.LAYER_GZIP] * 3
    descriptors += [manifest["config"], *manifest["layers"]]
    for d in descriptors:
        data = blob_path(root, d["digest"]).read_bytes()
        assert d["digest"] == sha(data) and d["size"] == len(data) > 0
    config = load(root, manifest["config"]["digest"])
    assert (config["architecture"], config["os"], config["config"]["Entrypoint"], config["config"]["Cmd"]) == (
        "amd64",
        "linux",
        ["/bin/hello"],
        [],
    )  # the entrypoint is the image's own program, which its app layer holds
    tars = [gzip.decompress(blob_path(root, d["digest"]).read_bytes()) for d in manifest["layers"]]
    assert config["rootfs"] == {"type": "layers", "diff_ids": [sha(t) for t in tars]}
    assert len(config["history"]) == 3
    # The Layout result reports what is on disk.
    assert image.manifest.digest == desc["digest"] and image.config.digest == manifest["config"]["digest"]
    assert [b.uncompressed_size for b in image.layers] == [len(t) for t in tars]
    assert image.total_size == sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert oci.verify(root).ok and oci.verify(root).problems == ()


def test_build_is_byte_for_byte_deterministic(tmp_path):
    a = oci.build_layout(tmp_path / "a", oci_model.demo_layers(), config=oci_model.DEMO_CONFIG, tag="course/hello:1.0")
    b = oci.build_layout(tmp_path / "b", oci_model.demo_layers(), config=oci_model.DEMO_CONFIG, tag="course/hello:1.0")
    assert a.manifest.digest == b.manifest.digest and a.files == b.files
    for name, _ in a.files:
        assert (a.root / name).read_bytes() == (b.root / name).read_bytes()
    with oci.lab() as c:
        assert c.manifest.digest == a.manifest.digest  # the lab builds the same image (same config)
    c_plain = oci.build_layout(tmp_path / "c", oci_model.demo_layers(), compress=False)
    assert [x.digest for x in c_plain.layers] == [x.diff_id for x in a.layers]
    assert all(x.media_type == oci_model.LAYER_TAR for x in c_plain.layers)


def test_a_hand_made_layer_has_the_same_digests(tmp_path):
    tar = hand_made_tar()
    zipped = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=zipped, mtime=0) as gz:
        gz.write(tar)
    layout = oci.build_layout(tmp_path / "x", [{"/docs/hello.txt": b"hi\n"}])
    (layer,) = layout.layers
    assert layer.diff_id == sha(tar) and layer.uncompressed_size == len(tar)
    assert layer.digest == sha(zipped.getvalue()) and layer.size == len(zipped.getvalue())
    assert oci_model.layer_tar({"docs/hello.txt": b"hi\n"}) == tar
    assert oci.list_files(layout.root, layer.digest) == [("/docs/hello.txt", 3)]
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        assert [(m.name, m.mode, m.mtime, m.uid, m.uname) for m in t] == [
            ("docs", 0o755, 0, 0, ""),
            ("docs/hello.txt", 0o644, 0, 0, ""),
        ]


def test_read_layout_and_list_files_read_back_what_was_written(image):
    again = oci.read_layout(image.root)
    assert again == image and again.tag == "course/hello:1.0"
    assert [oci.list_files(image.root, b.digest) for b in image.layers] == [
        [("/etc/os-release", 73), ("/etc/passwd", 29)],
        [("/bin/hello", len(entrypoint("x86_64").elf))],
        [("/etc/hello/config.json", 44)],
    ]
    assert "index.json" in image.tree() and "measured here" in image.tree()


def test_a_flipped_byte_is_reported_and_strict_raises(image):
    layer = image.layers[1]
    path = blob_path(image.root, layer.digest)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = oci.verify(image.root)
    expected = f"blob {layer.digest[:19]}… does not match its digest: content was changed after it was written"
    assert not result.ok and any(expected in p for p in result.problems), result.problems
    assert [(c.role, c.ok) for c in result.checks] == [
        ("manifest", True),
        ("config", True),
        ("layer 1", True),
        ("layer 2", False),
        ("layer 3", True),
    ]
    with pytest.raises(oci_model.OciError, match=re.escape(expected)):
        oci.verify(image.root, strict=True)
    with pytest.raises(oci_model.OciError, match="does not match its digest"):
        oci.read_layout(image.root)
    with pytest.raises(oci_model.OciError, match="does not match its digest"):
        oci.list_files(image.root, layer.digest)


def test_a_wrong_size_in_the_manifest_is_reported(image):
    def grow(manifest):
        manifest["layers"][0]["size"] += 1

    rewrite_manifest(image.root, grow)
    result = oci.verify(image.root)
    size = image.layers[0].size
    assert result.problems == (
        f"blob {image.layers[0].digest[:19]}… is {size:,} bytes but its descriptor says "
        f"{size + 1:,} bytes (the layer 1)",
    )
    (check,) = [c for c in result.checks if not c.ok]
    assert (check.role, check.expected_size, check.actual_size) == ("layer 1", size + 1, size)


def test_editing_the_manifest_in_place_breaks_its_digest(image):
    path = blob_path(image.root, image.manifest.digest)
    path.write_bytes(path.read_bytes().replace(b'"size":', b'"size": ', 1))
    problems = oci.verify(image.root).problems
    assert len(problems) == 1 and "does not match its digest" in problems[0] and "manifest" in problems[0]


def test_a_deleted_blob_is_reported(image):
    blob_path(image.root, image.layers[2].digest).unlink()
    result = oci.verify(image.root)
    assert any(f"blob {image.layers[2].digest[:19]}… is missing" in p for p in result.problems)
    assert [c.actual_size for c in result.checks if not c.ok] == [None]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "index.json is not valid JSON"),
        (b"\xff\xfe", "index.json is not valid JSON"),
        (b"[1, 2]", "index.json must be a JSON object"),
        (b'{"schemaVersion": 2, "manifests": []}', "at least one manifest"),
        (b'{"schemaVersion": 2, "manifests": [{"digest": "sha256:abc"}]}', "not of the form sha256:"),
        (b'{"schemaVersion": 2, "manifests": ["x"]}', "descriptor must be a JSON object"),
    ],
)
def test_garbage_index_gives_a_clear_message_not_a_traceback(image, content, words):
    (image.root / "index.json").write_bytes(content)
    result = oci.verify(image.root)
    assert not result.ok and any(words in p for p in result.problems), result.problems
    assert not any("could not read" in p for p in result.problems)
    with pytest.raises(oci_model.OciError, match=re.escape(words)):
        oci.read_layout(image.root)


def test_spec_fields_and_media_types_are_checked(image):
    index = json.loads((image.root / "index.json").read_bytes())
    index.update(schemaVersion=1, mediaType="application/json")
    (image.root / "index.json").write_text(json.dumps(index))
    problems = " | ".join(oci.verify(image.root).problems)
    assert "schemaVersion 2, found 1" in problems and "requires application/vnd.oci.image.index.v1+json" in problems


def test_layer_media_type_and_layout_version_are_checked(image):
    def bad_type(manifest):
        manifest["layers"][0]["mediaType"] = "application/octet-stream"

    rewrite_manifest(image.root, bad_type)
    (image.root / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}')
    problems = " | ".join(oci.verify(image.root).problems)
    assert "layer 1 has mediaType 'application/octet-stream'" in problems and "1.0.0" in problems


def test_wrong_diff_ids_are_reported(image):
    rewrite_config(image.root, lambda c: c["rootfs"]["diff_ids"].reverse())
    problems = oci.verify(image.root).problems
    assert sum("is not the sha256 of its tar" in p for p in problems) == 2  # layers 1 and 3 swapped
    rewrite_config(image.root, lambda c: c["rootfs"]["diff_ids"].pop())
    assert any("lists 2 diff_ids but the manifest has 3 layers" in p for p in oci.verify(image.root).problems)


def test_missing_files_and_a_missing_directory_are_reported(image, tmp_path):
    (image.root / "oci-layout").unlink()
    assert "oci-layout is missing" in oci.verify(image.root).problems[0]
    assert "is missing" in oci.verify(tmp_path / "nowhere").problems[0]


def test_changing_the_message_changes_only_the_top_layer():
    diff = oci.compare_messages("hello", "goodbye")
    assert diff.changed == (2,) and len(diff.shared) == 2 and diff.manifest_changed


def test_the_temporary_directory_is_removed_also_on_error():
    with oci.lab("hi") as layout:
        root = layout.root
        assert root.name.startswith("cvm-oci-") and (root / "index.json").is_file()
    assert not root.exists()
    with pytest.raises(RuntimeError, match="boom"), oci.TemporaryLayout() as layout:
        root = layout.root
        raise RuntimeError("boom")
    assert not root.exists()


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("", "1 to 200 characters"),
        ("x" * 201, "1 to 200 characters"),
        ("bell\x07", "printable"),
        ("two\nlines", "printable"),
        (None, "message must be text"),
        (5, "message must be text"),
        (True, "message must be text"),
        (b"bytes", "message must be text"),
    ],
)
def test_hostile_messages_are_refused_before_anything_is_created(message, words, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(ValueError, match=words):
        oci_model.demo_layers(message)
    with pytest.raises(ValueError, match=words), oci.lab(message):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([], "non-empty list"),
        ("etc/passwd", "non-empty list"),
        ({"a": b""}, "non-empty list"),
        (None, "non-empty"),
        ([{}], "layer 1 must be a non-empty mapping"),
        (["a"], "layer 1 must be a non-empty mapping"),
        ([{"../x": b""}], "contains '..'"),
        ([{"/../etc/passwd": b""}], "paths must stay inside the image"),
        ([{"/app/../../x": b""}], "contains '..'"),
        ([{"/": b""}], "path must be printable text"),
        ([{"": b""}], "path must be printable text"),
        ([{5: b""}], "path must be printable text"),
        ([{"a\x00b": b""}], "path must be printable text"),
        ([{"a": "text"}], "must be bytes (None deletes it), got str"),
        ([{"etc/.wh.x": b""}], "reserved for whiteouts"),
        ([{"a": b"x"}, {"b": 5}], "layer 2: the content of 'b'"),
        ([{"/a": b"", "a": b""}], "the path 'a' twice"),
        ([{"a": b"", "a/b": b""}], "'a' is both a file and a directory"),
    ],
)
def test_hostile_layers_are_refused(layers, words, tmp_path):
    with pytest.raises(ValueError, match=re.escape(words)):
        oci.build_layout(tmp_path / "x", layers)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("", "tag must be non-empty text"),
        ("   ", "tag must be non-empty text"),
        (None, "tag must be non-empty"),
        (5, "tag must be non-empty"),
        ("course/hello world:1", "must not contain spaces"),
        ("Course/Hello:1.0", "must be lowercase"),
        ("course/hello:", "tag part ''"),
        ("course/hello:.x", "tag part"),
        ("course//hello:1", "may use only lowercase"),
        ("-course:1", "may use only lowercase"),
        ("<b>x</b>:1", "may use only lowercase"),
    ],
)
def test_hostile_tags_are_refused(tag, words, tmp_path):
    with pytest.raises(ValueError, match=re.escape(words)):
        oci.build_layout(tmp_path / "x", oci_model.demo_layers(), tag=tag)
    with pytest.raises(ValueError, match=re.escape(words)), oci.lab(tag=tag):
        pass


def test_good_tags_config_and_other_inputs(tmp_path):
    assert oci.build_layout(tmp_path / "a", [{"a": b""}], tag="hello").tag == "hello"
    assert oci.read_layout(tmp_path / "a").config.size > 0
    index = json.loads((tmp_path / "a" / "index.json").read_bytes())
    assert index["manifests"][0]["annotations"][oci_model.REF_NAME] == "latest"
    assert oci.build_layout(tmp_path / "b", [{"a": bytearray(b"x")}], tag="reg_1/a-b.c:V1_x").tag == "reg_1/a-b.c:V1_x"
    for config, words in [
        ("x", "must be a mapping"),
        ({"cmd": ["x"]}, "config key must be one of"),
        ({"Cmd": "/bin/sh"}, "Cmd must be a list of strings"),
        ({"Env": [1]}, "Env must be a list"),
        ({"Labels": {"a": {1, 2}}}, "only JSON values"),
    ]:
        with pytest.raises(ValueError, match=re.escape(words)):
            oci.build_layout(tmp_path / "c", [{"a": b""}], config=config)
    with pytest.raises(ValueError, match="compress must be True or False"):
        oci.build_layout(tmp_path / "c", [{"a": b""}], compress="yes")
    with pytest.raises(ValueError, match="not an empty directory"):
        oci.build_layout(tmp_path / "a", [{"a": b""}])
    for digest in ("sha256:abc", None, "md5:" + "0" * 64):
        with pytest.raises(ValueError, match="layer_digest must look like"):
            oci.list_files(tmp_path / "a", digest)
    with pytest.raises(oci_model.OciError, match="is missing"):
        oci.list_files(tmp_path / "a", "sha256:" + "0" * 64)
    for root in (None, 5, "  "):
        with pytest.raises(ValueError, match="root must be a directory path"):
            oci.verify(root)
        with pytest.raises(ValueError, match="root must be a directory path"):
            oci.build_layout(root, [{"a": b""}])
    with pytest.raises(ValueError, match="two Layout results"):
        oci_model.diff_layouts(None, None)
