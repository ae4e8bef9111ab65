"""Hostile text through every calculator's numeric boxes, in a real browser.

:func:`hostile_sweep` finds every ``.cvm-calculator`` on a JupyterLab page and
every numeric box in it (``.cvm-number input``, see
:func:`widgets.ui.calculator.mark_number`) and types each value of
:data:`tests.hostile.HOSTILE_TEXT` into it. After each value it waits (on a
condition, with a deadline; never a sleep) for a *new* error message: the
calculator numbers every attempt (``data-attempt`` on the message), so two
values with the same message are still told apart. Each message must say that
the figure shows the last valid input; the calculator must show no traceback
and no internal error; the figure data and the summary must stay exactly as
they were. The box then gets its original value back.

Boxes marked ``cvm-optional`` accept empty text ("none") by design, so they get
the non-empty values only. Disabled boxes are skipped: a learner cannot type
into them. A calculator that already shows an error (a lesson interaction may
leave one) is first brought to a valid state (each box's stated default, or
"1"), so that every box's own validation is reached; its original values and
message are put back at the end.

The first value per visible box is typed with the real keyboard (fill, Enter);
the rest are set in page JavaScript with the same ``input``/``change`` events,
which keeps a value to tens of milliseconds.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.hostile import HOSTILE_TEXT

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: The fewest hostile values every (enabled) numeric box must be tried with.
MIN_VALUES = 10

#: Values tried, in order, to bring a calculator that shows an error to a valid state (the
#: boxes' tooltips with their defaults do not reach the DOM in ipywidgets 8.1).
_HEALING = ("1", "10", "100")

# window.__cvmSweep: page-side helpers, so that each step is one round trip.
_INSTALL = r"""() => {
  if (window.__cvmSweep) return;
  const S = window.__cvmSweep = {base: null};
  S.calc = i => document.querySelectorAll('.cvm-calculator')[i];
  S.own = (calc, sel) => [...calc.querySelectorAll(sel)]
    .filter(e => e.parentElement.closest('.cvm-calculator') === calc);
  S.inputs = calc => S.own(calc, '.cvm-number input');
  S.status = calc => S.own(calc, '.cvm-status')[0];
  S.figure = calc => JSON.stringify(S.own(calc, '.js-plotly-plot').map(p => p.data));
  S.summary = calc => S.own(calc, '.cvm-summary').map(e => e.innerText).join('\n');
  S.message = calc => {
    const st = S.status(calc), m = st && st.querySelector('.cvm-message');
    return {error: !!(st && st.querySelector('.cvm-error')), text: st ? st.innerText.trim() : '',
            attempt: m && m.dataset.attempt ? Number(m.dataset.attempt) : 0};
  };
  S.info = i => {
    const calc = S.calc(i);
    const name = [...calc.classList].find(c => c.startsWith('cvm-') && c !== 'cvm-calculator') || 'cvm-calculator';
    const inputs = S.inputs(calc).map(inp => {
      const box = inp.closest('.cvm-number');
      return {label: box.innerText.trim(), value: inp.value, disabled: inp.disabled,
              optional: box.classList.contains('cvm-optional'),
              visible: inp.offsetParent !== null};
    });
    return {name, inputs, message: S.message(calc), hasStatus: !!S.status(calc)};
  };
  S.remember = i => { const c = S.calc(i); S.base = {figure: S.figure(c), summary: S.summary(c)}; };
  S.untarget = () => document.querySelectorAll('[data-cvm-sweep]').forEach(e => e.removeAttribute('data-cvm-sweep'));
  S.target = (i, j) => {
    S.untarget();
    S.inputs(S.calc(i))[j].setAttribute('data-cvm-sweep', '1');
  };
  S.type = (i, j, v) => {
    const calc = S.calc(i), input = S.inputs(calc)[j], before = S.message(calc);
    if (input.value === v) return {same: true, before};
    input.value = v;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new Event('change', {bubbles: true}));
    return {same: false, before};
  };
  // The kernel has answered: a newer numbered message, or (after an error) an empty status; with a
  // remembered state (hostile values), also a changed summary, so that a value taken silently fails fast.
  S.answered = (i, prev, emptyCounts) => {
    const calc = S.calc(i), m = S.message(calc);
    const fresh = m.attempt > prev || (emptyCounts && m.text === '');
    if (!fresh && (S.base === null || S.summary(calc) === S.base.summary)) return false;
    const same = S.base === null ? null : S.summary(calc) === S.base.summary && S.figure(calc) === S.base.figure;
    return {...m, fresh, same, traceback: calc.innerText.includes('Traceback')};
  };
  S.forget = () => { S.base = null; };
}"""


def hostile_sweep(
    page: Page, values: list[str] | None = None, timeout_ms: int = 60_000, notes: list[str] | None = None
) -> dict[str, int]:
    """Type hostile text into every numeric box of every calculator on ``page``.

    Parameters
    ----------
    page:
        A Playwright page showing a notebook whose calculators have rendered
        (the kernel running).
    values:
        The texts to type; default :data:`tests.hostile.HOSTILE_TEXT`.
    timeout_ms:
        How long to wait for the kernel's answer to one value.
    notes:
        If given, sentences about boxes skipped and calculators that showed
        an error before the sweep are appended to it.

    Returns
    -------
    dict[str, int]
        Values tried, by calculator CSS class (``"cvm-sizing"`` ...); a
        calculator without numeric boxes counts 0.

    Raises
    ------
    AssertionError
        If a value gets no message, a traceback or internal error shows, the
        figure data or summary change, or a box gets fewer than
        :data:`MIN_VALUES` values.
    """
    values = list(HOSTILE_TEXT if values is None else values)
    page.evaluate(_INSTALL)
    counts: dict[str, int] = {}
    for i in range(page.evaluate("() => document.querySelectorAll('.cvm-calculator').length")):
        name, tried = _sweep_calculator(page, i, values, timeout_ms, [] if notes is None else notes)
        counts[name] = counts.get(name, 0) + tried
    page.evaluate("() => __cvmSweep.untarget()")
    return counts


def sweep_and_record(page: Page, lesson: str, path: Path) -> dict[str, int]:
    """Run :func:`hostile_sweep` and add its counts and duration for ``lesson`` to the JSON file ``path``."""
    started = time.perf_counter()
    notes: list[str] = []
    counts = hostile_sweep(page, notes=notes)
    seconds = time.perf_counter() - started
    entry = {
        "values": counts,
        "seconds": round(seconds, 2),
        "ms_per_value": round(1000 * seconds / max(1, sum(counts.values())), 1),
        "notes": notes,
    }
    add_record(path, lesson, entry)
    return counts


def add_record(path: Path, lesson: str, entry: object) -> None:
    """Add ``entry`` for ``lesson`` to the JSON file ``path`` (each browser worker adds its own lessons)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        record = {}
    record[lesson] = entry
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    scratch.replace(path)  # never a half-written file


def _sweep_calculator(page: Page, i: int, values: list[str], timeout_ms: int, notes: list[str]) -> tuple[str, int]:
    page.evaluate("() => __cvmSweep.forget()")
    info = page.evaluate("i => __cvmSweep.info(i)", i)
    name, inputs = info["name"], info["inputs"]
    if not inputs:
        return name, 0
    assert info["hasStatus"], f"{name}: numeric boxes but no .cvm-status"
    start = info["message"]
    healed = _heal(page, i, name, inputs, timeout_ms, notes) if start["text"] else {}
    tried = 0
    for j, box in enumerate(inputs):
        if box["disabled"]:
            notes.append(f"{name}: box {box['label']!r} is disabled (a learner cannot type there); skipped")
            continue
        where = f"{name} box {box['label']!r}"
        original = page.evaluate("([i, j]) => __cvmSweep.inputs(__cvmSweep.calc(i))[j].value", [i, j])
        expected = page.evaluate("i => __cvmSweep.message(__cvmSweep.calc(i))", i)["text"]
        page.evaluate("i => __cvmSweep.remember(i)", i)
        todo = [v for v in values if v.strip() or not box["optional"]]
        if original in todo:  # start after it: typing the box's own value would send nothing
            k = todo.index(original) + 1
            todo = todo[k:] + todo[:k]
        for n, value in enumerate(todo):
            _check_hostile(page, i, j, value, where, timeout_ms, keyboard=n == 0 and box["visible"])
        page.evaluate("() => __cvmSweep.forget()")
        assert len(todo) >= MIN_VALUES, f"{where}: only {len(todo)} hostile values"
        tried += len(todo)
        answer = _set(page, i, j, original, where, timeout_ms)
        if answer is not None:
            assert answer["text"] == expected, f"{where}: {original!r} restored, status {answer['text']!r}"
    if healed:  # put the lesson's values (and so its message) back
        for j, original in healed.items():
            typed = _type(page, i, j, original)
            if not typed["same"]:
                _wait(
                    page, i, typed["before"]["attempt"], bool(typed["before"]["text"]), f"{name} (put back)", timeout_ms
                )
        final = page.evaluate("i => __cvmSweep.message(__cvmSweep.calc(i))", i)["text"]
        assert final == start["text"], f"{name}: values put back, status {final!r}, not {start['text']!r}"
    return name, tried


def _heal(
    page: Page, i: int, name: str, inputs: list[dict[str, Any]], timeout_ms: int, notes: list[str]
) -> dict[int, str]:
    """Bring a calculator that shows an error to a valid state by changing one box (those the message
    names first); return {box: original value} of the box changed, empty if that was not enough."""
    text = page.evaluate("i => __cvmSweep.message(__cvmSweep.calc(i))", i)["text"]
    named = [j for j, box in enumerate(inputs) if box["label"].split(" (")[0].lower() in text.lower()]
    for j in [*named, *(j for j in range(len(inputs)) if j not in named)]:
        box = inputs[j]
        if box["disabled"]:
            continue
        for value in [""] * box["optional"] + list(_HEALING):
            answer = _set(page, i, j, value, f"{name} (healing)", timeout_ms)
            if answer is not None and not answer["text"]:
                notes.append(
                    f"{name}: showed an error; made valid for the sweep by typing {value!r} into "
                    f"{box['label']!r} (put back afterwards)"
                )
                return {j: box["value"]}
        _set(page, i, j, box["value"], f"{name} (healing)", timeout_ms)
    notes.append(f"{name}: showed an error and could not be made valid by changing one box; swept as it was")
    return {}  # the sweep still runs: every value still needs its own new message


def _type(page: Page, i: int, j: int, value: str) -> dict[str, Any]:
    return page.evaluate("([i, j, v]) => __cvmSweep.type(i, j, v)", [i, j, value])


def _wait(page: Page, i: int, prev: int, empty_counts: bool, where: str, timeout_ms: int) -> dict[str, Any]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function(
            "([i, p, e]) => __cvmSweep.answered(i, p, e)", arg=[i, prev, empty_counts], timeout=timeout_ms
        )
    except PlaywrightTimeout:
        raise AssertionError(
            f"{where}: no new message within {timeout_ms / 1000:g} s (was the value accepted without a word?)"
        ) from None
    return handle.json_value()


def _set(page: Page, i: int, j: int, value: str, where: str, timeout_ms: int) -> dict[str, Any] | None:
    """Type a value that may be valid, after an error: wait for the answer (None: nothing to send)."""
    typed = _type(page, i, j, value)
    if typed["same"]:
        return None
    assert typed["before"]["text"], f"{where}: typing {value!r} without a message before cannot be awaited"
    return _wait(page, i, typed["before"]["attempt"], True, where, timeout_ms)


def _check_hostile(page: Page, i: int, j: int, value: str, where: str, timeout_ms: int, *, keyboard: bool) -> None:
    if keyboard:
        before = page.evaluate("i => __cvmSweep.message(__cvmSweep.calc(i))", i)
        page.evaluate("([i, j]) => __cvmSweep.target(i, j)", [i, j])
        box = page.locator("[data-cvm-sweep]")
        box.fill(value)
        box.press("Enter")
    else:
        before = _type(page, i, j, value)["before"]
    answer = _wait(page, i, before["attempt"], False, f"{where} {value!r}", timeout_ms)
    text = answer["text"]
    assert answer["fresh"] and answer["error"], f"{where} {value!r}: no error message, summary changed"
    assert "last valid input" in text, f"{where} {value!r}: message {text!r}"
    assert "internal error" not in text and not answer["traceback"], f"{where} {value!r}: {text!r}"
    assert answer["same"], f"{where} {value!r}: the figure data or the summary changed"
