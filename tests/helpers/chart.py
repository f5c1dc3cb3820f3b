"""Render charts/thebot with the pinned helm; shared by the chart tests and the integration tests.

Environment values are read from the inventories (their one home); nothing here repeats them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import yaml

import testbed
from helpers.digests import EXAMPLE_DIGESTS

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "thebot"
ENVIRONMENTS = ("dev", "staging", "prod")
KUBE_VERSION = next(t for t in testbed.TOOLS if t.module_dir == "kubernetes").version()
SERVICE_MONITOR = "monitoring.coreos.com/v1/ServiceMonitor"


def env_values(env: str) -> dict:
    path = ROOT / "inventories" / env / "group_vars" / env / "chart.yml"
    return yaml.safe_load(path.read_text())["thebot_chart_values"]


def requires_digests(env: str) -> bool:
    """The inventory's switch: does this environment run its images by digest only?"""
    path = ROOT / "inventories" / env / "group_vars" / env / "main.yml"
    return bool(yaml.safe_load(path.read_text()).get("thebot_require_image_digests"))


def release_values(env: str) -> dict:
    """An environment's values as a release deploys them: a tag, and the digests where the inventory requires them."""
    values = env_values(env)
    values["image"] = {**values.get("image", {}), "tag": "1.4.2"}
    if requires_digests(env):
        for name, digest in EXAMPLE_DIGESTS.items():
            values.setdefault(name, {}).setdefault("image", {})["digest"] = digest
    return values


class Rendered(list):
    """The objects of one render, with look-ups by kind, name suffix and component."""

    def kind(self, kind: str) -> list:
        return [o for o in self if o["kind"] == kind]

    def get(self, kind: str, component: str) -> dict:
        found = [o for o in self.kind(kind)
                 if o["metadata"]["labels"].get("app.kubernetes.io/component") == component]
        assert len(found) == 1, f"expected one {kind} of component {component}, found {len(found)}"
        return found[0]

    def components(self) -> set:
        return {o["metadata"]["labels"].get("app.kubernetes.io/component") for o in self}

    def pod_templates(self):
        """(object, pod spec) for every Deployment, StatefulSet and Job."""
        for o in self:
            if o["kind"] in ("Deployment", "StatefulSet", "Job"):
                yield o, o["spec"]["template"]["spec"]


def helm(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([testbed.binary("helm"), *args], capture_output=True, text=True, check=False)


def render_result(values: dict | None = None, *extra: str, api_versions=()) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
        json.dump(values or {}, handle)
        handle.flush()
        return helm("template", "thebot", str(CHART), "--namespace", "thebot", "--kube-version", KUBE_VERSION,
                    "-f", handle.name, *[f"--api-versions={v}" for v in api_versions], *extra)


def render(values: dict | None = None, *extra: str, api_versions=()) -> Rendered:
    result = render_result(values, *extra, api_versions=api_versions)
    assert result.returncode == 0, f"helm template failed:\n{result.stderr}"
    return Rendered(doc for doc in yaml.safe_load_all(result.stdout) if doc)
