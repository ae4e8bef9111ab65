"""The course theme meets WCAG 2.1 AA contrast on the page, and series differ by more than colour."""

from __future__ import annotations

import pytest

from widgets.ui import theme
from widgets.ui.figures import new_figure

GRAPHICS, TEXT = 3.0, 4.5  # WCAG 2.1 AA: 1.4.11 non-text contrast, 1.4.3 text contrast


def test_contrast_formula_matches_wcag_reference_values():
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert theme.contrast("#777777") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey
    assert theme.contrast("#767676") == pytest.approx(4.54, abs=0.01)  # ... and the darkest that passes
    with pytest.raises(ValueError, match="#RRGGBB"):
        theme.relative_luminance("blue")


@pytest.mark.parametrize("kind", sorted(theme.COLORS))
def test_every_platform_colour_has_graphics_contrast_on_the_page(kind):
    ratio = theme.contrast(theme.COLORS[kind], theme.BACKGROUND)
    assert ratio >= GRAPHICS, f"{kind} {theme.COLORS[kind]}: {ratio:.2f}:1 on {theme.BACKGROUND}, needs 3:1"


@pytest.mark.parametrize("kind", sorted(theme.COLORS))
def test_every_platform_text_colour_has_text_contrast(kind):
    ratio = theme.contrast(theme.text_color(kind), theme.BACKGROUND)
    assert ratio >= TEXT, f"text colour for {kind}: {ratio:.2f}:1, needs 4.5:1"


def test_the_theme_text_colours_have_text_contrast():
    layout = theme.TEMPLATE.layout
    assert theme.contrast(layout.font.color, layout.paper_bgcolor) >= TEXT
    assert theme.contrast(layout.font.color, layout.plot_bgcolor) >= TEXT
    assert theme.contrast(layout.xaxis.linecolor, layout.plot_bgcolor) >= GRAPHICS


def test_successive_series_differ_by_marker_dash_and_pattern_not_only_colour():
    fig = new_figure("t", "x (s)", "y (s)")
    for _ in range(len(theme.SYMBOLS)):
        fig.add_scatter(y=[1, 2], mode="lines+markers")
        fig.add_bar(y=[1])
    scatter, bar = theme.TEMPLATE.data.scatter, theme.TEMPLATE.data.bar
    looks = {(t.marker.symbol, t.line.dash) for t in scatter}
    assert len(looks) == len(scatter) >= 5, "every line series in a figure gets its own marker and dash"
    assert len({t.marker.symbol for t in scatter}) == len(scatter)
    assert len({t.marker.pattern.shape for t in bar}) == len(bar) >= 5, "every bar series its own pattern"
    assert fig.layout.template.data.scatter[1].line.dash == "dash"
