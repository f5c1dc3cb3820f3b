"""helm 3 and the helm-diff plugin, as built by the test bed, against the local cluster."""

import json

import pytest

pytestmark = pytest.mark.cluster

CHART = __file__.rsplit("/", 1)[0] + "/charts/hooked"


def test_install_waits_for_the_pre_install_hook_and_the_rollout(kube, namespace):
    kube.helm("install", "hooked", CHART, "-n", namespace, "--wait", "--wait-for-jobs", "--timeout", "120s")
    release = json.loads(kube.helm("status", "hooked", "-n", namespace, "-o", "json").stdout)
    assert release["info"]["status"] == "deployed", release["info"]
    hook = next(h for h in release["hooks"] if h["name"] == "hooked-prepare")
    assert hook["last_run"]["phase"] == "Succeeded", f"the pre-install hook Job did not complete: {hook}"
    job = kube.get("job", "hooked-prepare", "-n", namespace)
    assert job["status"].get("succeeded") == 1
    assert kube.get("deployment", "hooked-web", "-n", namespace)["status"].get("readyReplicas") == 2


def test_helm_diff_upgrade_shows_the_change(kube, namespace):
    kube.helm("install", "hooked", CHART, "-n", namespace, "--wait", "--timeout", "120s")
    unchanged = kube.helm("diff", "upgrade", "hooked", CHART, "-n", namespace, "--detailed-exitcode", check=False)
    assert unchanged.returncode == 0, f"no change expected, diff said:\n{unchanged.stdout}{unchanged.stderr}"
    changed = kube.helm("diff", "upgrade", "hooked", CHART, "-n", namespace, "--set", "message=second",
                        "--detailed-exitcode", "--no-color", check=False)
    assert changed.returncode == 2, f"diff should report a change (exit 2):\n{changed.stdout}{changed.stderr}"
    assert '-               value: "first"' in changed.stdout and '+               value: "second"' in changed.stdout, \
        changed.stdout
    revisions = json.loads(kube.helm("history", "hooked", "-n", namespace, "-o", "json").stdout)
    assert len(revisions) == 1, "helm diff must not write a revision"
