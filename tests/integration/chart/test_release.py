"""The chart on the test bed, through a real API server: what the cluster's own API decides (an optional CRD
absent, the Kubernetes version). Installs, upgrades and rollbacks with running containers are molecule's
scenarios on kind (molecule/README.md); they replaced this file's kwok-only prod install, upgrade and rollback.
"""

import json

import pytest
import yaml

from helpers.chart import CHART, KUBE_VERSION

pytestmark = pytest.mark.cluster


def _values_file(tmp_path, values):
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return str(path)


def _release(kube, namespace):
    return json.loads(kube.helm("status", "thebot", "-n", namespace, "-o", "json").stdout)


def test_servicemonitor_enabled_without_its_crd_still_installs(kube, namespace, tmp_path):
    values = _values_file(tmp_path, {"metrics": {"enabled": True, "serviceMonitor": {"enabled": True}}})
    result = kube.helm("install", "thebot", str(CHART), "-n", namespace, "-f", values, "--wait", "--timeout", "120s")
    assert "no ServiceMonitor CRD" in result.stdout, result.stdout
    assert _release(kube, namespace)["info"]["status"] == "deployed"


def test_kube_version_is_checked(kube):
    """The chart declares the Kubernetes it needs; the pinned server satisfies it."""
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["kubeVersion"] == ">=1.29.0-0" and KUBE_VERSION.startswith("v1.3")
