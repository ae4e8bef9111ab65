"""What assistive technology needs from a calculator, a quiz and a figure, set in the browser.

ipywidgets cannot put ARIA attributes on the elements it draws, and plotly draws no accessible name for a
chart. :class:`Access` is a tiny invisible widget (anywidget) placed inside a calculator or a quiz; when it
is drawn it finds its host's elements in the page and sets, once they exist (it looks again until they do,
for up to 10 minutes):

* every figure: ``role="figure"``, its title as ``aria-label`` and the one-sentence summary as its
  accessible description (``aria-describedby`` to the summary's element);
* the summary: a polite live region (a screen reader reads each new result), the status line an assertive
  one (an error message is read at once);
* every slider handle: the slider's label as its name (ipywidgets leaves the handle nameless);
* on drop-downs, lists, sliders, check boxes, radio buttons and buttons, ``data-lm-suppress-shortcuts``:
  without it JupyterLab takes their arrow keys, Space and Enter as notebook commands (the next cell...), and
  they cannot be used from the keyboard;
* a quiz: each question's options as a named radio group, and the feedback as a live region.

:class:`FigureSummary` does the same for a static figure (:func:`widgets.ui.figures.show_figure`): it draws
the summary paragraph itself and describes the figure in the output just before it. A stored notebook
keeps the same paragraph as HTML (its widget view is not committed), so a notebook opened without a kernel,
and the static site (``make html``, which links the two itself), still show the summary under the figure.
"""

from __future__ import annotations

import anywidget
import traitlets

#: The page-side code shared by both widgets (an ES module; anywidget loads it from the kernel, no network).
ESM = r"""
let counter = 0;
const uid = prefix => `cvm-a11y-${prefix}-${Date.now().toString(36)}-${++counter}`;
const text = e => (e ? e.textContent.replace(/\s+/g, ' ').trim() : '');
const own = (host, hostSel, sel) =>
  [...host.querySelectorAll(sel)].filter(e => e.parentElement && e.parentElement.closest(hostSel) === host);

function ensureId(e, prefix) { if (!e.id) e.id = uid(prefix); return e.id; }

function describeFigure(plot, summary) {
  if (!plot || !summary) return false;
  const layout = plot.layout || {};
  const title = layout.title && (typeof layout.title === 'string' ? layout.title : layout.title.text);
  plot.setAttribute('role', 'figure');
  plot.setAttribute('aria-label', `Figure: ${title || 'a plot'}`);
  plot.setAttribute('aria-describedby', ensureId(summary, 'summary'));
  return true;
}

function live(e, how) {
  if (!e) return;
  e.setAttribute('aria-live', how);
  e.setAttribute('aria-atomic', 'true');
}

function nameSliders(host, hostSel) {
  let all = true;
  for (const slider of own(host, hostSel, '.widget-slider')) {
    const handle = slider.querySelector('.noUi-handle');
    if (!handle) { all = false; continue; }
    const label = text(slider.querySelector('.widget-label')) || 'value';
    handle.setAttribute('aria-label', label);
    const readout = slider.querySelector('.widget-readout');
    if (readout) readout.setAttribute('aria-label', `${label}, typed value`);
  }
  return all;
}

// JupyterLab reads the arrow keys, Space and Enter as notebook commands (select the next cell...) unless the
// focused element is text it can edit: a drop-down, list, slider, check box, radio button or button would
// never see them. Lumino skips its shortcuts under an element marked data-lm-suppress-shortcuts.
const KEYED = 'select, .noUi-handle, input[type=checkbox], input[type=radio], button, .widget-radio-box';
function keepKeys(host, hostSel) {
  for (const e of own(host, hostSel, KEYED)) e.setAttribute('data-lm-suppress-shortcuts', 'true');
}

function calculator(host, hostSel) {
  keepKeys(host, hostSel);
  const summary = own(host, hostSel, '.cvm-summary')[0];
  const status = own(host, hostSel, '.cvm-status')[0];
  const plots = own(host, hostSel, '.js-plotly-plot');
  live(summary, 'polite');
  if (status) { status.setAttribute('role', 'alert'); live(status, 'assertive'); }
  const drawn = plots.length > 0 && plots.every(p => describeFigure(p, summary));
  return nameSliders(host, hostSel) && drawn && !!summary;
}

function quiz(host, hostSel) {
  keepKeys(host, hostSel);
  const boxes = own(host, hostSel, '.cvm-quiz-choice');
  const prompts = own(host, hostSel, '.cvm-quiz-prompt');
  const feedback = own(host, hostSel, '.cvm-quiz-feedback');
  boxes.forEach((box, i) => {
    const group = box.querySelector('.widget-radio-box') || box;
    group.setAttribute('role', 'radiogroup');
    if (prompts[i]) group.setAttribute('aria-labelledby', ensureId(prompts[i], 'question'));
    if (feedback[i]) {
      live(feedback[i], 'polite');
      group.setAttribute('aria-describedby', ensureId(feedback[i], 'feedback'));
    }
  });
  const score = own(host, hostSel, '.cvm-quiz-score')[0];
  live(score, 'polite');
  return boxes.length > 0 && boxes.length === prompts.length && boxes.length === feedback.length;
}

function staticFigure(el) {
  // The summary is this widget's own paragraph; the figure is the plot in the output just before it.
  const summary = el.querySelector('.cvm-summary');
  const child = el.closest('.jp-OutputArea-child, .output_area');
  let prev = child ? child.previousElementSibling : null;
  while (prev && !prev.querySelector('.js-plotly-plot')) prev = prev.previousElementSibling;
  return describeFigure(prev ? prev.querySelector('.js-plotly-plot') : null, summary);
}

function render({ model, el }) {
  const kind = model.get('kind');
  if (kind === 'figure') {
    el.innerHTML = model.get('html');
  } else {
    el.style.display = 'none';
  }
  const hostSel = kind === 'quiz' ? '.cvm-quiz' : '.cvm-calculator';
  // The calculator's update counter, on its element: a test (or a tool) sees that the kernel answered a
  // change even when the summary reads the same as before.
  const count = () => {
    const host = el.closest(hostSel);
    if (host) host.setAttribute('data-cvm-updates', String(model.get('updates')));
  };
  model.on('change:updates', count);
  let tries = 0;
  const apply = () => {
    let done = false;
    try {
      if (kind === 'figure') done = staticFigure(el);
      else {
        const host = el.closest(hostSel);
        done = !!host && (kind === 'quiz' ? quiz(host, hostSel) : calculator(host, hostSel));
        if (host && done) { host.setAttribute('data-cvm-a11y', 'ready'); count(); }
      }
    } catch (err) { done = false; }
    // Look again until everything is there: every 100 ms for 5 s, then every second for 10 minutes (a plot
    // below the fold may be drawn late).
    if (!done && ++tries < 650) setTimeout(apply, tries < 50 ? 100 : 1000);
  };
  apply();
}
export default { render };
"""


class Access(anywidget.AnyWidget):
    """Invisible: sets ARIA on the calculator (``kind="calculator"``) or quiz (``kind="quiz"``) it is in."""

    _esm = ESM
    kind = traitlets.Unicode("calculator").tag(sync=True)
    #: The host's update counter (:attr:`widgets.ui.calculator.Calculator.attempts`), shown on its element as
    #: ``data-cvm-updates``.
    updates = traitlets.Int(0).tag(sync=True)

    def __init__(self, kind: str = "calculator") -> None:
        if kind not in ("calculator", "quiz"):
            raise ValueError(f"kind must be 'calculator' or 'quiz', got {kind!r}")
        super().__init__(kind=kind)
        self.layout.display = "none"  # never takes space, in JupyterLab or in a widget-less view


class FigureSummary(anywidget.AnyWidget):
    """A static figure's summary paragraph (``html``), which describes the figure shown just before it."""

    _esm = ESM
    kind = traitlets.Unicode("figure").tag(sync=True)
    html = traitlets.Unicode("").tag(sync=True)
