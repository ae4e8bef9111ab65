"""One source of truth: pyproject.toml, environment.yml, requirements.lock and
the self-check's minimum versions must agree."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from widgets import selfcheck


def pyproject(root):
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in meta["dependencies"]]
    test = [Requirement(r) for r in meta["optional-dependencies"]["test"]]
    return runtime, test


def conda_specs(root) -> dict[str, str]:
    env = yaml.safe_load((root / "environment.yml").read_text())
    specs: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            m = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", item)
            specs[canonicalize_name(m.group(1))] = m.group(2).replace(" ", "")
    return specs


def lock_pins(root) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins.setdefault(canonicalize_name(m.group(1)), set()).add(m.group(2))
    return pins


def test_environment_yml_lists_exactly_the_pyproject_packages(root):
    runtime, test = pyproject(root)
    specs = conda_specs(root)
    for req in runtime + test:
        name = canonicalize_name(req.name)
        assert name in specs, f"environment.yml lacks {req.name}"
        assert specs[name] == str(req.specifier), f"{req.name}: {specs[name]} != {req.specifier}"
    extra = set(specs) - {canonicalize_name(r.name) for r in runtime + test} - {"python", "pip"}
    assert not extra, f"environment.yml has packages pyproject.toml does not: {extra}"
    assert specs["python"] == "=3.11"  # python=3.11: the form repo2docker reads (it ignores python>=3.11)


def test_binder_python_matches_the_supported_minimum(root):
    requires = tomllib.loads((root / "pyproject.toml").read_text())["project"]["requires-python"]
    assert conda_specs(root)["python"] == "=" + requires.removeprefix(">=")


def test_hub_lock_pins_the_hub_and_agrees_with_the_course_lock(root):
    """hub/requirements.lock (make hub's environment) pins the hub's packages, and every package both locks pin
    has the same version in both (it is compiled with requirements.lock as constraints)."""
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    hub = [Requirement(r) for r in meta["optional-dependencies"]["hub"]]
    runtime, _ = pyproject(root)
    course, pins = lock_pins(root), {}
    for line in (root / "hub" / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if m:
            pins.setdefault(canonicalize_name(m.group(1)), set()).add(m.group(2))
    for req in hub + runtime:
        name = canonicalize_name(req.name)
        assert name in pins, f"hub/requirements.lock does not pin {req.name}: run `make lock`"
        assert all(Version(v) in req.specifier for v in pins[name]), f"{req.name}: {pins[name]} vs {req.specifier}"
    differ = {n: (pins[n], course[n]) for n in set(pins) & set(course) if pins[n] != course[n]}
    assert not differ, f"the two locks disagree (run `make lock`): {differ}"
    in_binder = {canonicalize_name(r.name) for r in hub} & set(conda_specs(root))
    assert not in_binder, f"the hub's packages belong in hub/requirements.lock, not in environment.yml: {in_binder}"


def test_lock_pins_every_dependency_within_its_range(root):
    runtime, test = pyproject(root)
    pins = lock_pins(root)
    for req in runtime + test:
        name = canonicalize_name(req.name)
        assert name in pins, f"requirements.lock does not pin {req.name}: run `make lock`"
        for version in pins[name]:
            assert Version(version) in req.specifier, f"{req.name}=={version} violates {req.specifier}"


def test_lock_pins_are_what_is_installed(root):
    from importlib import metadata

    pins = lock_pins(root)
    for name in ("jupyterlab", "ipywidgets", "plotly", "nbval", "papermill"):
        assert metadata.version(name) in pins[name], f"{name} installed differs from the lock: run make install"


def test_selfcheck_minimums_match_pyproject(root):
    runtime, _ = pyproject(root)
    declared = {canonicalize_name(r.name): str(r.specifier).lstrip(">=") for r in runtime}
    assert declared == {canonicalize_name(k): v for k, v in selfcheck.REQUIRED.items()}
