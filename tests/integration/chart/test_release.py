"""The chart on the test bed: install with --wait, upgrade, rollback, through a real API server.

kwok stands in for the kubelet: pods are admitted, scheduled and marked Ready, Job pods Succeeded;
no container runs, so probes and the migration commands themselves are not executed here.
"""

import base64
import json

import pytest
import yaml

from helpers.chart import CHART, KUBE_VERSION, env_values

pytestmark = pytest.mark.cluster


def _values_file(tmp_path, values):
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return str(path)


def _release(kube, namespace):
    return json.loads(kube.helm("status", "thebot", "-n", namespace, "-o", "json").stdout)


def _secret(kube, namespace, key):
    data = kube.get("secret", "thebot", "-n", namespace)["data"]
    return base64.b64decode(data[key]).decode()


def _claims(kube, namespace):
    return {c["metadata"]["name"]: c["metadata"]["uid"] for c in kube.get("pvc", "-n", namespace)["items"]}


@pytest.fixture
def restricted(kube, namespace):
    for mode in ("enforce", "warn", "audit"):
        kube.kubectl("label", "namespace", namespace, f"pod-security.kubernetes.io/{mode}=restricted")
    return namespace


def test_prod_install_upgrade_and_rollback(kube, restricted, tmp_path):
    ns = restricted
    values = _values_file(tmp_path, env_values("prod"))
    install = kube.helm("install", "thebot", str(CHART), "-n", ns, "-f", values, "--wait", "--wait-for-jobs",
                        "--timeout", "180s")
    assert "violate" not in install.stderr.lower(), f"Pod Security warnings:\n{install.stderr}"
    release = _release(kube, ns)
    assert release["info"]["status"] == "deployed" and release["version"] == 1
    hooks = {h["name"]: h["last_run"]["phase"] for h in release["hooks"]}
    assert hooks == {"thebot": "Succeeded", "thebot-migrations": "Succeeded", "thebot-collectstatic": "Succeeded"}, \
        hooks

    # Every workload is Ready with the prod replica counts; every pod was admitted by restricted PSA.
    # An autoscaled Deployment carries no replicas field (so upgrades never fight the HPA): it starts
    # at one pod and kube-controller-manager's HPA controller raises it to minReplicas.
    expected = {"backend": 3, "frontend": 3, "celery": 3, "celery-beat": 1}
    for component, replicas in expected.items():
        kube.kubectl("wait", f"deployment/thebot-{component}", "-n", ns, "--timeout=90s",
                     f"--for=jsonpath={{.status.readyReplicas}}={replicas}")
    for component in ("postgresql", "redis"):
        assert kube.get("statefulset", f"thebot-{component}", "-n", ns)["status"].get("readyReplicas") == 1
    pods = kube.get("pods", "-n", ns)["items"]
    assert len(pods) == sum(expected.values()) + 2 + 2, "apps, databases and the two hook job pods"
    hpas = {h["metadata"]["name"]: (h["spec"]["minReplicas"], h["spec"]["maxReplicas"])
            for h in kube.get("hpa", "-n", ns)["items"]}
    assert hpas == {"thebot-backend": (3, 10), "thebot-frontend": (3, 5), "thebot-celery": (3, 8)}
    assert {c["status"]["phase"] for c in kube.get("pvc", "-n", ns)["items"]} == {"Bound"}
    claims = _claims(kube, ns)
    password = _secret(kube, ns, "POSTGRES_PASSWORD")
    migration_uid = kube.get("job", "thebot-migrations", "-n", ns)["metadata"]["uid"]

    # Upgrade: a new image tag and a config change roll out; the migration hook runs again.
    kube.helm("upgrade", "thebot", str(CHART), "-n", ns, "-f", values, "--set", "image.tag=1.0.1",
              "--set", "logLevel=ERROR", "--wait", "--wait-for-jobs", "--timeout", "180s")
    assert _release(kube, ns)["version"] == 2
    backend = kube.get("deployment", "thebot-backend", "-n", ns)
    assert backend["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.1")
    assert backend["status"].get("updatedReplicas") == 3 and backend["status"].get("readyReplicas") == 3
    assert kube.get("job", "thebot-migrations", "-n", ns)["metadata"]["uid"] != migration_uid, "migrations ran again"
    assert kube.get("configmap", "thebot", "-n", ns)["data"]["LOG_LEVEL"] == "ERROR"
    assert _secret(kube, ns, "POSTGRES_PASSWORD") == password, "generated credentials are never rotated"

    # Rollback to revision 1: the old image and, through the pre-rollback hook, the old config.
    kube.helm("rollback", "thebot", "1", "-n", ns, "--wait", "--timeout", "180s")
    release = _release(kube, ns)
    assert release["version"] == 3 and release["info"]["status"] == "deployed"
    backend = kube.get("deployment", "thebot-backend", "-n", ns)
    assert backend["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
    assert kube.get("configmap", "thebot", "-n", ns)["data"]["LOG_LEVEL"] == "WARNING"
    assert _secret(kube, ns, "POSTGRES_PASSWORD") == password
    assert _claims(kube, ns) == claims, "upgrade and rollback keep every volume claim"


def test_servicemonitor_enabled_without_its_crd_still_installs(kube, namespace, tmp_path):
    values = _values_file(tmp_path, {"metrics": {"enabled": True, "serviceMonitor": {"enabled": True}}})
    result = kube.helm("install", "thebot", str(CHART), "-n", namespace, "-f", values, "--wait", "--timeout", "120s")
    assert "no ServiceMonitor CRD" in result.stdout, result.stdout
    assert _release(kube, namespace)["info"]["status"] == "deployed"


def test_kube_version_is_checked(kube):
    """The chart declares the Kubernetes it needs; the pinned server satisfies it."""
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["kubeVersion"] == ">=1.29.0-0" and KUBE_VERSION.startswith("v1.3")
