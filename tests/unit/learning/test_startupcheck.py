"""Lesson 07's edit exercise: the design is validated, the order of medians is ranked with ties where the
spreads overlap, and a predicted order is checked with the gaps explained."""

from __future__ import annotations

import pytest

from widgets.labs import startup, startupexp
from widgets.learning import startupcheck

ALL = ["process", "namespaces", "container", "kvm"]


def bench(medians: dict[str, tuple[float, float, float]]) -> startup.StartupBench:
    paths = tuple(
        startup.PathResult(n, startup.PATHS[n], startup.MEASURED, "test", (m,), m, lo, hi, lo, hi)
        for n, (lo, m, hi) in medians.items()
    )
    return startup.StartupBench(paths, 1, 20, False, "test", 0.1)


CLEAR = bench({"process": (1, 2, 3), "namespaces": (4, 5, 6), "container": (70, 80, 90), "kvm": (7, 8, 9)})
CLOSE = bench({"process": (1, 2, 3), "kvm": (2.5, 2.6, 4), "namespaces": (5, 6, 7)})


def test_ordering_and_ties():
    o = startupexp.ordering(CLEAR)
    assert o.order == ("process", "namespaces", "kvm", "container") and o.ties == ()
    assert o.text == "process < namespaces < kvm < container"
    c = startupexp.ordering(CLOSE)
    assert c.ties == (("process", "kvm"),) and c.text == "process ≈ kvm < namespaces"
    assert c.consistent(("kvm", "process", "namespaces")) and not c.consistent(("namespaces", "process", "kvm"))


def test_the_right_order_is_correct_and_every_gap_explained():
    fb = startupcheck.check_order(["process", "namespaces", "kvm", "container"], startupexp.ordering(CLEAR))
    assert fb.correct
    for words in ("×2.5", "×1.6", "×10", "unshare", "pivot_root", "no guest kernel boots", "measured here"):
        assert words in fb.message, words


def test_either_order_of_a_tie_counts():
    fb = startupcheck.check_order(["kvm", "process", "namespaces"], startupexp.ordering(CLOSE))
    assert fb.correct and "could not separate process and kvm" in fb.message


@pytest.mark.parametrize(
    ("prediction", "like"),
    [
        (["container", "process", "namespaces", "kvm"], "a container is just a process"),
        (["process", "namespaces", "container", "kvm"], "virtualisation itself is slow"),
        (["namespaces", "process", "kvm", "container"], "isolation costs nothing"),
    ],
)
def test_wrong_orders_name_the_misconception(prediction, like):
    fb = startupcheck.check_order(prediction, startupexp.ordering(CLEAR))
    assert not fb.correct and like in fb.message


@pytest.mark.parametrize(
    ("prediction", "status", "words"),
    [
        (..., "missing", "no prediction yet"),
        ("process < kvm", "incorrect", "must be a list"),
        (["process", "kvm"], "incorrect", "each path of your experiment once"),
        (["process", "process", "kvm", "container"], "incorrect", "each path of your experiment once"),
        (42, "incorrect", "must be a list"),
    ],
)
def test_hostile_predictions(prediction, status, words):
    fb = startupcheck.check_order(prediction, startupexp.ordering(CLEAR))
    assert fb.status == status and words in fb.message


def test_result_must_come_from_the_lab():
    with pytest.raises(ValueError, match="run_experiment"):
        startupcheck.check_order(ALL, {"process": 1})


@pytest.mark.parametrize(
    ("design", "words"),
    [
        (["process", "kvm"], "must be a dict"),
        ({"paths": "process"}, "list of at least two"),
        ({"paths": ["process"]}, "list of at least two"),
        ({"paths": ["process", "vm"]}, "path in 'paths'"),
        ({"paths": ["kvm", "kvm"]}, "twice"),
        ({"paths": ALL, "runs": 1000}, "runs"),
        ({"paths": ALL, "runs": "ten"}, "runs"),
        ({"paths": ALL, "keep_first": "yes"}, "keep_first"),
        ({"paths": ALL, "shell": "rm -rf /"}, "unknown key"),
    ],
)
def test_bad_designs_are_refused(design, words):
    with pytest.raises(ValueError, match=words):
        startupexp.check_design(design)


def test_a_design_runs_on_the_recording_when_live_is_off():
    o = startupexp.run_experiment({"paths": ["kvm", "process", "container"], "runs": 3}, live="off")
    assert set(o.order) == {"kvm", "process", "container"} and o.order[-1] == "container"
    assert all(p.source == startup.RECORDED for p in o.bench.paths)
    assert startup.LABEL in startupexp.source_sentence(o)


@pytest.mark.live
@pytest.mark.skipif(not startup.os.access("/bin/true", startup.os.X_OK), reason="no /bin/true")
def test_keep_first_keeps_one_more_run():
    o = startupexp.run_experiment({"paths": ["process", "kvm"], "runs": 3, "keep_first": True})
    assert all(p.runs == 4 for p in o.bench.paths if p.source == startup.MEASURED)


def test_check_experiment_runs_only_once_there_is_a_prediction(monkeypatch):
    ran = []
    monkeypatch.setattr(startupcheck, "run_experiment", lambda d, live: ran.append(d) or startupexp.ordering(CLEAR))
    design = {"paths": ALL, "runs": 5}
    assert startupcheck.check_experiment(design, ...).feedback.status == "missing" and ran == []
    bad = startupcheck.check_experiment({"paths": ["process"]}, ["process"])
    assert bad.feedback.status == "incorrect" and "cannot run" in bad.feedback.message and ran == []
    short = startupcheck.check_experiment(design, ["process", "kvm"])
    assert "each path of your experiment once" in short.feedback.message and ran == []
    done = startupcheck.check_experiment(design, ["process", "namespaces", "kvm", "container"])
    assert done.feedback.correct and done.result is not None and len(ran) == 1
    assert "Correct" in repr(done) and "cvm-correct" in done._repr_html_()


def test_check_experiment_on_the_recording():
    check = startupcheck.check_experiment({"paths": ["process", "container"], "runs": 3}, ["process", "container"],
                                          live="off")  # fmt: skip
    assert check.feedback.correct and startup.LABEL in check.feedback.message
