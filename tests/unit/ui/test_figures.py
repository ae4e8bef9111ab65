"""Theme, figures, summaries and code-drawn stack diagrams."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from IPython.core.interactiveshell import InteractiveShell

from widgets import COLORS, new_figure, show_figure
from widgets.ui.figures import PLOTLY_MIME, figure_json
from widgets.ui.stacks import ENVIRONMENT_STACKS, environment_figure, stack_figure
from widgets.ui.theme import color


def test_fixed_colours_for_vm_and_container():
    assert COLORS["vm"] == "#0072B2" and COLORS["container"] == "#C27C00"  # blue and (darkened) orange
    assert len(set(COLORS.values())) == len(COLORS)
    with pytest.raises(ValueError, match="unknown platform kind 'toaster'"):
        color("toaster")


def test_new_figure_has_title_axes_and_lean_theme():
    fig = new_figure("Start-up time", "time (ms)", "platform")
    assert fig.layout.title.text == "Start-up time"
    assert fig.layout.xaxis.title.text == "time (ms)"
    theme = json.dumps(fig.to_plotly_json()["layout"]["template"])
    assert len(theme) < 1500, "the theme should stay lean (plotly's default is ~7 KB)"
    assert isinstance(new_figure("t", "x", "y", widget=True), go.FigureWidget)
    with pytest.raises(ValueError, match="title must be a non-empty string"):
        new_figure("", "x", "y")
    with pytest.raises(ValueError, match="x_title must be a string"):
        new_figure("t", None, "y")


def test_show_figure_emits_plotly_json_and_summary(capsys):
    shell = InteractiveShell.instance()
    outputs = []
    shell.display_pub.publish = lambda data, **kw: outputs.append(data)
    fig = new_figure("A title", "x (s)", "y (ms)")
    show_figure(fig, "One sentence.")
    assert PLOTLY_MIME in outputs[0] and "plotly.js" not in json.dumps(outputs[0])
    assert outputs[1]["text/plain"] == "One sentence."
    assert "Figure: A title." in outputs[1]["text/html"]
    with pytest.raises(ValueError, match="summary"):
        show_figure(fig, " ")
    with pytest.raises(ValueError, match="needs a title"):
        show_figure(go.Figure(), "x")


def test_figure_json_has_config_without_logo():
    assert figure_json(new_figure("t", "x", "y"))["config"]["displaylogo"] is False


def test_stack_figure_layers_and_colours():
    fig = stack_figure(
        "Stacks",
        {
            "type 1": [("hardware", "other"), ("hypervisor", "vm")],
            "container": [("hardware", "other"), ("kernel", "native"), ("app", "container")],
        },
    )
    assert len(fig.data) == 3  # deepest stack has 3 layers
    assert list(fig.data[1].text) == ["hypervisor", "kernel"]
    assert fig.data[1].marker.color[0] == COLORS["vm"]
    assert list(fig.data[2].y) == [0, 1]  # the 2-layer stack has no third layer
    with pytest.raises(ValueError, match="unknown kind"):
        stack_figure("t", {"a": [("x", "toaster")]})
    with pytest.raises(ValueError, match="no layers"):
        stack_figure("t", {"a": []})
    with pytest.raises(ValueError, match="at least one stack"):
        stack_figure("t", {})


def test_environment_figure_marks_the_detected_stack():
    fig = environment_figure("container-in-vm", "KVM", "Docker")
    names = list(fig.data[0].x)
    assert sum("you are here" in n for n in names) == 1
    assert any("you are here" in n and "container in a VM" in n for n in names)
    labels = [t for trace in fig.data for t in trace.text]
    assert "hypervisor: KVM" in labels and "container (Docker)" in labels
    assert set(ENVIRONMENT_STACKS) == {"bare-metal", "vm", "container", "container-in-vm"}
    assert not any("you are here" in n for n in environment_figure("unknown").data[0].x)
    with pytest.raises(ValueError, match="unknown environment kind"):
        environment_figure("toaster")


def test_plotly_renderers_import_leaves_jsonschema_working():
    """widgets.ui.figures hides jsonschema's optional IRI grammar during plotly's import only (start-up time)."""
    import subprocess
    import sys

    code = (
        "import sys, time; t = time.perf_counter(); import widgets, plotly.graph_objects as go; go.FigureWidget(); "
        "assert sys.modules.get('rfc3987_syntax', 0) is not None; import rfc3987_syntax; "
        "import nbformat; nbformat.validate(nbformat.v4.new_notebook()); print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
