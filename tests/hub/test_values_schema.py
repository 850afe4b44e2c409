"""hub/values.yaml as the Zero to JupyterHub chart reads it: merged over the chart's own defaults the
way Helm merges values, then validated against the chart's values.schema.yaml (helm install does the
same and refuses what fails). The chart's files are at ../shared/z2jh/ from the project's root (its
SOURCE.md names the commit): they are published only in the chart's repository."""

from __future__ import annotations

import copy
import re

import jsonschema
import pytest
import yaml

from tests.support.paths import PROJECT_ROOT

CHART = PROJECT_ROOT.parent / "shared" / "z2jh"
VALUES = PROJECT_ROOT / "hub" / "values.yaml"


def helm_merge(defaults: dict, overrides: dict) -> dict:
    """Helm's coalescing of a values file over the chart's: maps merge key by key, anything else
    replaces, and null deletes the chart's key."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_file(name: str) -> dict:
    path = CHART / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the chart's values and schema belong at ../shared/z2jh/ (see its SOURCE.md)")
    return yaml.safe_load(path.read_text())


def problems(values: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(chart_file("values.schema.yaml"))
    merged = helm_merge(chart_file("values.yaml"), values)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def test_values_merged_over_the_charts_defaults_pass_its_schema():
    assert problems(yaml.safe_load(VALUES.read_text())) == []


def test_the_schema_check_refuses_a_key_the_chart_does_not_have():
    values = yaml.safe_load(VALUES.read_text())
    values["singleuser"]["containerSecurityContext"] = {"readOnlyRootFilesystem": True}
    assert any("containerSecurityContext" in p for p in problems(values))


def test_hardening_is_where_the_chart_takes_it():
    values = yaml.safe_load(VALUES.read_text())
    single = values["singleuser"]
    assert single["uid"] == 1000 and single["fsGid"] == 1000 and single["allowPrivilegeEscalation"] is False
    assert single["extraPodConfig"]["securityContext"]["runAsNonRoot"] is True
    context = values["hub"]["config"]["KubeSpawner"]["container_security_context"]
    assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"] and context["runAsUser"] == single["uid"]
    assert single["storage"]["homeMountPath"] == "/home/jovyan/notebooks"
    assert {m["mountPath"] for m in single["storage"]["extraVolumeMounts"]} == {"/tmp"}
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0


def test_image_is_the_layer_for_the_charts_jupyterhub_major():
    """values.yaml spawns jupyterlab-minimalist:hubN, whose lock holds jupyterhub N.x, N the major of
    the JupyterHub the chart copy ships (its SOURCE.md) -- and docs/hub.md pairs the two."""
    tag = yaml.safe_load(VALUES.read_text())["singleuser"]["image"]["tag"]
    major = re.fullmatch(r"hub(\d+)", tag)[1]
    lock = (PROJECT_ROOT / f"requirements-{tag}.lock").read_text()
    assert re.search(r"^jupyterhub==(\d+)\.", lock, re.M)[1] == major
    chart_hub = re.search(r"appVersion` there is JupyterHub (\d+)\.", (CHART / "SOURCE.md").read_text())[1]
    assert chart_hub == major, f"the chart ships JupyterHub {chart_hub}; values.yaml spawns {tag}"
    docs = (PROJECT_ROOT / "docs" / "hub.md").read_text()
    assert f"jupyterlab-minimalist:{tag}" in docs and f"JupyterHub {major}" in docs
