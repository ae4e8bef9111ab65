"""An OCI image layout as figures and a table (lesson 03): its blobs, and which layers two images share."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..labs.oci import Layout, LayoutDiff, TemporaryLayout, verify
from ..models.oci import diff_layouts
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "TemporaryLayout",
    "diff_figure",
    "diff_layouts",
    "layout_figure",
    "layout_html",
    "summarize_diff",
    "summarize_layout",
    "verify",
]


def summarize_layout(layout: Layout) -> str:
    """One sentence: the image's files and blob sizes, measured here."""
    stored, raw = sum(b.size for b in layout.layers), sum(b.uncompressed_size for b in layout.layers)
    return (
        f"The image {layout.tag} is {len(layout.files)} files, {layout.total_size:,} bytes (measured here): "
        f"a {layout.manifest.size:,}-byte manifest, a {layout.config.size:,}-byte config and "
        f"{len(layout.layers)} layers of {stored:,} bytes stored ({raw:,} bytes as uncompressed tars)."
    )


def summarize_diff(diff: LayoutDiff) -> str:
    """One sentence: which layers are shared, which changed, and what that did to the config and manifest."""
    a, b = diff.a, diff.b
    if not diff.changed and not diff.manifest_changed:
        return f"The two images are identical: same manifest digest {a.manifest.short}…, every layer shared."
    word = {True: "changed", False: "stayed the same"}
    return (
        f"{len(diff.shared)} of {len(a.layers)} layers are shared (same digest, stored once: "
        f"{diff.shared_bytes:,} bytes, measured here) and "
        f"{', '.join(f'layer {i + 1}' for i in diff.changed) or 'no layer'} changed; so the config digest "
        f"{word[diff.config_changed]} ({a.config.short}… → {b.config.short}…) and the manifest digest "
        f"{word[diff.manifest_changed]} ({a.manifest.short}… → {b.manifest.short}…)."
    )


def layout_figure(layout: Layout) -> go.Figure:
    """Horizontal bars of each blob's size (manifest, config, layers), labelled with short digests."""
    blobs = [layout.manifest, layout.config, *layout.layers]
    labels = [f"{b.role} {b.short}" for b in blobs]
    fig = new_figure(
        f"The blobs of {layout.tag}, measured here",
        "size (bytes, measured here)",
        "",
        height=max(300, 90 + 48 * len(blobs)),
        barmode="group",
        margin={"l": 190},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
    )
    fig.add_bar(
        orientation="h",
        y=labels,
        x=[b.size for b in blobs],
        name="stored blob",
        marker_color=[COLORS["container"] if b.diff_id else COLORS["other"] for b in blobs],
        text=[f"{b.size:,} B" for b in blobs],
        textposition="outside",
        cliponaxis=False,
        customdata=[b.digest for b in blobs],
        hovertemplate="%{customdata}<br>%{x:,} bytes<extra></extra>",
    )
    fig.add_bar(
        orientation="h",
        y=labels[2:],
        x=[b.uncompressed_size for b in layout.layers],
        name="layer as uncompressed tar",
        marker={"color": COLORS["container"], "opacity": 0.4},
        text=[f"{b.uncompressed_size:,} B as tar" for b in layout.layers],
        textposition="inside",
        customdata=[b.diff_id for b in layout.layers],
        hovertemplate="diff_id %{customdata}<br>%{x:,} bytes uncompressed<extra></extra>",
    )
    return fig


def diff_figure(diff: LayoutDiff) -> go.Figure:
    """The layers of two images stacked side by side: shared layers grey, changed layers orange."""
    fig = new_figure(
        "Layers of two images (bottom = base): grey shared, orange changed",
        "",
        "stored layer size (bytes, measured here)",
        barmode="stack",
        showlegend=False,
    )
    x = [f"image A<br>manifest {diff.a.manifest.short}", f"image B<br>manifest {diff.b.manifest.short}"]
    for i in range(max(len(diff.a.layers), len(diff.b.layers))):
        pair = [img.layers[i] if i < len(img.layers) else None for img in (diff.a, diff.b)]
        state = "changed" if i in diff.changed else "shared"
        fig.add_bar(
            x=x,
            y=[p.size if p else 0 for p in pair],
            name=f"layer {i + 1}",
            marker={
                "color": COLORS["container" if state == "changed" else "other"],
                "line": {"color": "white", "width": 2},
            },
            text=[f"layer {i + 1} {p.short}" if p else "" for p in pair],
            textposition="inside",
            customdata=[p.digest if p else "none" for p in pair],
            hovertemplate=f"%{{customdata}}<br>%{{y:,}} bytes, {state}<extra></extra>",
        )
    return fig


def layout_html(layout: Layout) -> str:
    """HTML: index.json → manifest → config and layers, digests shortened to 12 hex digits (full on hover)."""

    def code(digest: str) -> str:
        return f'<code title="{html.escape(digest)}">sha256:{digest.removeprefix("sha256:")[:12]}…</code>'

    layers = "".join(
        f"<li>{html.escape(b.role)} {code(b.digest)}: {b.size:,} bytes stored, {b.uncompressed_size:,} bytes "
        f"as tar (diff_id {code(b.diff_id)}) <small>{html.escape(b.media_type)}</small></li>"
        for b in layout.layers
    )
    return (
        f'<div class="cvm-oci"><ul><li><b>index.json</b> ({dict(layout.files).get("index.json", 0):,} bytes): '
        f"<code>{html.escape(layout.tag)}</code><ul><li><b>manifest</b> {code(layout.manifest.digest)} "
        f"({layout.manifest.size:,} bytes)<ul><li><b>config</b> {code(layout.config.digest)} "
        f"({layout.config.size:,} bytes)</li>{layers}</ul></li></ul></li></ul>"
        "<p><small>Sizes measured here; hover a digest to see it in full.</small></p></div>"
    )
