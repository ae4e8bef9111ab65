"""The Zero to JupyterHub values (hub/k8s/config.yaml) validate against the chart's own values schema.

Helm validates the chart's defaults (values.yaml) merged with the user's values against values.schema.json;
this test does the same with the schema and defaults of chart 4.4.0, vendored in hub/k8s/chart-4.4.0/ (with
their source and licence). Kubernetes itself is not run here."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml

CHART = "hub/k8s/chart-4.4.0"


def merge(base: dict, over: dict) -> dict:
    """Helm's merge of user values over chart defaults: maps merge, anything else replaces, null removes."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="module")
def schema(root):
    return yaml.safe_load((root / CHART / "values.schema.yaml").read_text())


@pytest.fixture(scope="module")
def defaults(root):
    return yaml.safe_load((root / CHART / "values.yaml").read_text())


@pytest.fixture(scope="module")
def config(root):
    return yaml.safe_load((root / "hub" / "k8s" / "config.yaml").read_text())


def test_config_validates_against_the_chart_schema(schema, defaults, config):
    jsonschema.validate(merge(defaults, config), schema, cls=jsonschema.Draft7Validator)


def test_the_schema_catches_a_mistake(schema, defaults, config):
    wrong = merge(config, {"singleuser": {"memory": {"limits": "1G"}}})  # 'limit' misspelt
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(merge(defaults, wrong), schema, cls=jsonschema.Draft7Validator)


def test_config_says_what_the_course_needs(config):
    single = config["singleuser"]
    assert single["memory"]["limit"] == "1G" and single["memory"]["guarantee"]
    assert single["cpu"]["limit"] and single["cpu"]["guarantee"]
    assert single["extraEnv"]["NUMPY_MADVISE_HUGEPAGE"] == "0"
    assert "gitpuller" in single["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert config["cull"]["enabled"] is True
    assert config["hub"]["config"]["JupyterHub"]["authenticator_class"] == "firstuseauthenticator"


def test_vendored_chart_files_name_their_source(root):
    source = (root / CHART / "SOURCE.md").read_text()
    assert "zero-to-jupyterhub-k8s" in source and "4.4.0" in source and "BSD 3-Clause" in source
    assert (root / CHART / "LICENSE").read_text().startswith("BSD 3-Clause License")
