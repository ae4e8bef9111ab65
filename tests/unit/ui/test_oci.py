"""A real OCI image layout, checked against the spec, by hand and after tampering."""

from __future__ import annotations

from widgets.labs import oci
from widgets.models import oci as oci_model
from widgets.ui import oci as oci_ui
from widgets.ui.theme import COLORS


def test_changing_one_file_in_the_app_layer_changes_only_that_layer(tmp_path):
    layers = oci_model.demo_layers()
    a = oci.build_layout(tmp_path / "a", layers)
    layers[1] = {"/bin/hello": layers[1]["/bin/hello"] + b"\0"}  # one more byte after the program
    b = oci.build_layout(tmp_path / "b", layers)
    diff = oci_model.diff_layouts(a, b)
    assert diff.changed == (1,) and diff.config_changed and diff.manifest_changed
    assert diff.shared == (a.layers[0].digest, a.layers[2].digest)
    assert a.layers[1].digest != b.layers[1].digest and a.layers[1].diff_id != b.layers[1].diff_id
    assert diff.shared_bytes == a.layers[0].size + a.layers[2].size
    assert "2 of 3 layers are shared" in oci_ui.summarize_diff(diff) and "layer 2 changed" in oci_ui.summarize_diff(
        diff
    )
    same = oci_model.diff_layouts(a, oci.read_layout(a.root))
    assert same.changed == () and not same.config_changed and "identical" in oci_ui.summarize_diff(same)


def test_layout_figure_and_summary_show_measured_sizes(image):
    fig = oci_ui.layout_figure(image)
    stored, raw = fig.data
    assert list(stored.x) == [image.manifest.size, image.config.size, *(b.size for b in image.layers)]
    assert list(stored.marker.color) == [COLORS["other"]] * 2 + [COLORS["container"]] * 3
    assert list(raw.x) == [b.uncompressed_size for b in image.layers]
    assert all(
        b.short in label for b, label in zip([image.manifest, image.config, *image.layers], stored.y, strict=True)
    )
    assert "measured here" in fig.layout.title.text and "bytes" in fig.layout.xaxis.title.text
    text = oci_ui.summarize_layout(image)
    assert f"{image.total_size:,} bytes (measured here)" in text and f"{image.manifest.size:,}-byte manifest" in text


def test_diff_figure_colours_shared_and_changed_layers():
    diff = oci.compare_messages("one", "two")
    fig = oci_ui.diff_figure(diff)
    assert len(fig.data) == 3 and "bytes" in fig.layout.yaxis.title.text
    assert [t.marker.color for t in fig.data] == [COLORS["other"], COLORS["other"], COLORS["container"]]
    assert list(fig.data[2].y) == [diff.a.layers[2].size, diff.b.layers[2].size]


def test_layout_html_shortens_digests_to_12_hex_digits(image):
    text = oci_ui.layout_html(image)
    for blob in (image.manifest, image.config, *image.layers):
        assert f'title="{blob.digest}">sha256:{blob.short}…</code>' in text and len(blob.short) == 12
    assert text.index("index.json") < text.index("manifest") < text.index("config") < text.index("layer 1")
    assert "measured here" in text
