"""The image-size chart keeps compressed and on-disk sizes apart."""

from __future__ import annotations

import widgets
from widgets.ui import imagesizes


def test_two_series_never_mixed_and_values_from_data():
    fig = imagesizes.image_sizes_figure()
    names = [t.name for t in fig.data]
    assert names == ["compressed", "on-disk"]
    table = widgets.load("image_sizes")
    for trace in fig.data:
        rows = [r for r in table if r["measure"] == trace.name]
        assert sorted(trace.x) == sorted(r["size_mb"] for r in rows)
    assert "MB" in fig.layout.xaxis.title.text


def test_summary_quotes_the_data():
    text = imagesizes.image_sizes_summary()
    assert "3.8 MB (alpine)" in text and "63.1 MB (nginx)" in text and "8.42 MB" in text
