"""Every calculator from the keyboard alone, in a real browser.

:func:`drive_by_keyboard` finds every ``.cvm-calculator`` on a JupyterLab page and every control in it
(text boxes, check boxes, drop-downs, lists, slider handles, toggle buttons, buttons, text areas; not an
output such as an export to copy, marked ``cvm-output``), in the
order the Tab key visits them. For each control it

1. **reaches** it with the Tab key: the first control of a calculator by Tab then Shift+Tab from it (it is in
   the tab order: Tab to what follows and Shift+Tab back; not from before it, where a code cell's editor
   keeps the Tab key), every later one by pressing Tab from the one before (at most :data:`MAX_TABS` times);
2. **changes** it with keys only: a new value typed and Enter (text), Space (check box, button, toggle
   button), the arrow keys (slider, drop-down, list), new text then Tab (text area);
3. waits (on a condition, never a sleep) until the calculator **answers**: its summary, figure data, status
   message or text changed. A typed value that the model refuses gets a message, which counts as an answer,
   and the next candidate value is tried (at most three), so that each calculator is seen to redraw its
   summary or figure from the keyboard.

No mouse event is sent. The page-side helpers set no value themselves: they only say which element is
focused and what the calculator shows. A calculator that shows an error when its turn comes (a lesson's
interaction may leave one) is first made valid by typing into its boxes (:func:`_heal`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: The most Tab presses allowed between one control and the next: a slider's readout, a figure's tool bar
#: (11 buttons) and the links of a calculator's notes are stops too.
MAX_TABS = 40

_INSTALL = r"""() => {
  if (window.__cvmKeys) return;
  const K = window.__cvmKeys = {};
  K.calc = i => document.querySelectorAll('.cvm-calculator')[i];
  K.own = (calc, sel) => [...calc.querySelectorAll(sel)]
    .filter(e => e.parentElement.closest('.cvm-calculator') === calc);
  const SEL = ['input[type=text]', 'input[type=number]', 'input[type=checkbox]', 'select', 'textarea',
               '.noUi-handle', '.widget-toggle-buttons', 'button.jupyter-button:not(.widget-toggle-button)'].join(',');
  K.controls = calc => K.own(calc, SEL).filter(e => e.offsetParent !== null && !e.disabled
      && !e.closest('.cvm-output') && !(e.matches('button') && e.closest('.widget-toggle-buttons')));
  K.kind = e => e.matches('.noUi-handle') ? 'slider' : e.matches('.widget-toggle-buttons') ? 'toggle'
      : e.matches('select') ? (e.multiple ? 'list' : 'dropdown') : e.matches('textarea') ? 'area'
      : e.matches('button') ? 'button' : e.type === 'checkbox' ? 'checkbox' : 'text';
  K.label = e => {
    if (e.matches('button')) return e.textContent.trim();
    const box = e.closest('.widget-inline-hbox, .widget-hbox, .widget-vbox, .widget-toggle-buttons') || e.parentElement;
    const l = box.querySelector('.widget-label');
    return ((l && l.textContent) || e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 60);
  };
  K.info = i => K.controls(K.calc(i)).map(e => ({kind: K.kind(e), label: K.label(e),
      value: 'value' in e && e.tagName !== 'BUTTON' ? String(e.value) : (e.getAttribute('aria-valuenow') || ''),
      options: e.tagName === 'SELECT' ? e.options.length : 0,
      index: e.tagName === 'SELECT' ? e.selectedIndex : -1}));
  // The element the keyboard would act on: the focusable part of a control (a toggle group: its first button
  // that is not pressed).
  K.target = (i, j) => {
    const e = K.controls(K.calc(i))[j];
    if (K.kind(e) === 'toggle') return [...e.querySelectorAll('button')].find(b => !b.classList.contains('mod-active'));
    return e;
  };
  K.focused = (i, j) => {
    const t = K.target(i, j), a = document.activeElement;
    return !!t && (a === t || t.contains(a));
  };
  K.focus = (i, j) => { K.target(i, j).focus(); return K.focused(i, j); };
  K.name = calc => [...calc.classList].find(c => c.startsWith('cvm-') && c !== 'cvm-calculator') || 'cvm-calculator';
  K.state = i => {
    const calc = K.calc(i), st = K.own(calc, '.cvm-status')[0], m = st && st.querySelector('.cvm-message');
    return {summary: K.own(calc, '.cvm-summary').map(e => e.innerText).join('\n'),
            figure: JSON.stringify(K.own(calc, '.js-plotly-plot').map(p => [p.data, p.layout && p.layout.shapes])),
            status: st ? st.innerText.trim() : '', attempt: m && m.dataset.attempt ? Number(m.dataset.attempt) : 0,
            updates: calc.getAttribute('data-cvm-updates') || '',
            text: K.own(calc, '.widget-label, .widget-html-content').map(e => e.textContent).join('|'),
            areas: K.own(calc, 'textarea').map(t => t.value).join('\n')};
  };
  K.remember = (i, j) => { K.before = K.state(i); K.el = K.target(i, j); };
  // What the kernel changed. The page itself changes a slider's readout and a text area as keys are pressed:
  // those count only where the control cannot have changed them (a button's output, an example loaded).
  K.answered = (i, kind) => {
    const now = K.state(i), b = K.before;
    // A button that starts work is disabled until the work is done ("Measuring..." shows at once): it has
    // answered when it is enabled again and something changed.
    if (kind === 'button' && K.el.disabled) return false;
    // An input's change runs the calculator's update, which ends by counting it (data-cvm-updates): waiting for
    // that count, and only for it, keeps one change's late answer from being taken for the next one's. A toggle,
    // a button or a slider may redraw without an update (a figure's axis, an export, "press Run"): for those any
    // change counts.
    const counted = now.updates !== b.updates;
    if (!counted && !['toggle', 'button', 'slider'].includes(kind)) return false;
    const ignore = {area: ['areas']}[kind] || [];
    const changed = Object.keys(now).filter(k => now[k] !== b[k] && !ignore.includes(k));
    return changed.length ? {changed, error: now.status !== '' && now.attempt !== b.attempt,
                             summary: now.summary !== b.summary, figure: now.figure !== b.figure} : false;
  };
}"""


@dataclass
class KeyboardReport:
    """What :func:`drive_by_keyboard` did: per calculator, each control's kind, label and how it answered."""

    controls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.controls.values())


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def candidates(kind: str, value: str) -> list[str]:
    """Values to type into a text box or text area, in order: a plausible change of the current value first."""
    if kind == "area":
        lines = value.splitlines()
        return [value + "\n" + lines[0]] if lines else ["1"]
    v = _number(value) if value.strip() else None
    if not value.strip():
        return ["1", "10"]
    if v is not None:
        # A negative value (a lesson's interaction may leave one, refused) is made positive first.
        out = [-v, 1.0, 10.0] if v < 0 else [v * 2, v + 1, v / 2, v - 1, 1.0, 10.0]
        return list(dict.fromkeys(f"{x:g}" for x in out if f"{x:g}" != value))
    # Free text: the first number in it one higher (a kernel version's major), its first word, one letter less.
    bumped = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), value, count=1)
    words = value.split()
    out = [bumped] if bumped != value else []
    out += [words[0]] if len(words) > 1 else []
    return [*out, value[:-1], value + "1"]


def drive_by_keyboard(page: Page, timeout_ms: int = 8_000, button_timeout_ms: int = 90_000) -> KeyboardReport:
    """Reach and change every control of every calculator on ``page`` with the keyboard; see the module doc.

    Returns the report; its ``failures`` list a control that could not be reached or got no answer.
    """
    started = time.perf_counter()
    page.evaluate(_INSTALL)
    report = KeyboardReport()
    for i in range(page.evaluate("() => document.querySelectorAll('.cvm-calculator').length")):
        name = page.evaluate("i => __cvmKeys.name(__cvmKeys.calc(i))", i)
        key = name if name not in report.controls else f"{name}#{i}"
        report.controls[key] = []
        redrawn = False
        _heal(page, i, page.evaluate("i => __cvmKeys.info(i)", i), timeout_ms)
        for j, control in enumerate(page.evaluate("i => __cvmKeys.info(i)", i)):
            where = f"{key} {control['kind']} {control['label']!r}"
            if not _reach(page, i, j):
                report.failures.append(f"{where}: not reached with the Tab key")
                continue
            answer = _change(page, i, j, control, timeout_ms, button_timeout_ms)
            if answer is None:
                report.failures.append(f"{where}: no answer to a keyboard change")
                continue
            redrawn |= bool(answer["summary"] or answer["figure"])
            report.controls[key].append({**control, "answer": answer["changed"], "error": answer["error"]})
        if report.controls[key] and not redrawn:
            report.failures.append(f"{key}: no keyboard change updated its summary or its figure")
    report.seconds = time.perf_counter() - started
    return report


#: Values typed to bring a calculator that shows an error (a lesson's interaction may leave one) to a valid
#: state before it is driven: numbers, and a kernel version.
_HEALING = ("1", "10", "100", "5.15")


def _heal(page: Page, i: int, controls: list[dict[str, Any]], timeout_ms: int) -> None:
    """If the calculator shows an error, type valid values (with the keyboard, into a box focused directly: this
    is set-up, not the check) into its text boxes, those its message names first, until the error is gone."""
    status = page.evaluate("i => __cvmKeys.state(i)", i)["status"].lower()
    if not status:
        return
    texts = [j for j, c in enumerate(controls) if c["kind"] == "text"]
    named = [j for j in texts if controls[j]["label"].split(" (")[0].lower() in status]
    for j in [*named, *(j for j in texts if j not in named)]:
        page.evaluate("([i, j]) => __cvmKeys.focus(i, j)", [i, j])
        for value in _HEALING:
            if value == controls[j]["value"]:
                continue
            _type(page, i, j, "text", value, timeout_ms)
            if not page.evaluate("i => __cvmKeys.state(i)", i)["status"]:
                return
        _type(page, i, j, "text", controls[j]["value"], timeout_ms)  # not this box: its value back


def _reach(page: Page, i: int, j: int) -> bool:
    if j == 0:  # in the tab order: Tab to what follows it and Shift+Tab back lands on it again
        if not page.evaluate("([i, j]) => __cvmKeys.focus(i, j)", [i, j]):
            return False
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")
        return page.evaluate("([i, j]) => __cvmKeys.focused(i, j)", [i, j])
    for _ in range(MAX_TABS):
        if page.evaluate("([i, j]) => __cvmKeys.focused(i, j)", [i, j]):
            return True
        page.keyboard.press("Tab")
    return page.evaluate("([i, j]) => __cvmKeys.focused(i, j)", [i, j])


def _wait(page: Page, i: int, kind: str, timeout_ms: int) -> dict[str, Any] | None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function("([i, k]) => __cvmKeys.answered(i, k)", arg=[i, kind], timeout=timeout_ms)
        return handle.json_value()
    except PlaywrightTimeout:
        return None


def _press(page: Page, i: int, j: int, kind: str, keys: list[str], timeout_ms: int) -> dict[str, Any] | None:
    page.evaluate("([i, j]) => __cvmKeys.remember(i, j)", [i, j])
    for k in keys:
        page.keyboard.press(k)
    return _wait(page, i, kind, timeout_ms)


def _type(page: Page, i: int, j: int, kind: str, text: str, timeout_ms: int) -> dict[str, Any] | None:
    page.evaluate("([i, j]) => __cvmKeys.remember(i, j)", [i, j])
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Tab" if kind == "area" else "Enter")
    return _wait(page, i, kind, timeout_ms)


def _change(
    page: Page, i: int, j: int, control: dict[str, Any], timeout_ms: int, button_timeout_ms: int
) -> dict[str, Any] | None:
    kind = control["kind"]
    if kind in ("checkbox", "toggle"):
        return _press(page, i, j, kind, ["Space"], timeout_ms)
    if kind == "button":
        return _press(page, i, j, kind, ["Space"], button_timeout_ms)
    if kind in ("dropdown", "list"):
        down = control["index"] < control["options"] - 1
        first, second = ("ArrowDown", "ArrowUp") if down else ("ArrowUp", "ArrowDown")
        return _press(page, i, j, kind, [first], timeout_ms) or _press(page, i, j, kind, [second], timeout_ms)
    if kind == "slider":  # at the top of its range, ArrowRight changes nothing
        return _press(page, i, j, kind, ["ArrowRight"], timeout_ms) or _press(
            page, i, j, kind, ["ArrowLeft"], timeout_ms
        )
    # Text or text area: the first candidate that the model takes and that changes the summary; else the first
    # it takes (a refusal, with its message, is an answer too). At most three candidates.
    answer = taken = None
    for text in candidates(kind, control["value"])[:3]:
        if not page.evaluate("([i, j]) => __cvmKeys.focused(i, j)", [i, j]):
            page.keyboard.press("Shift+Tab")  # a text area's Tab (its commit) moved on: come back by keyboard
        got = _type(page, i, j, kind, text, timeout_ms)
        answer = answer or got
        if got and not got["error"]:
            if got["summary"]:
                return got
            taken = taken or got
    return taken or answer
