"""The local test cluster does what tests of this project rely on, with real controllers.

What it cannot do is named, not hidden: kwok plays the kubelet, so no container ever runs. A pod is
marked Ready (or Succeeded when a Job owns it) by kwok's stages once the scheduler has bound it.
"""

import json

import pytest

import testbed

pytestmark = pytest.mark.cluster


def test_apiserver_is_ready_and_reports_the_pinned_version(kube):
    readyz = kube.kubectl("get", "--raw", "/readyz")
    assert readyz.stdout.strip() == "ok", f"/readyz answered {readyz.stdout!r}"
    server = json.loads(kube.kubectl("version", "-o", "json").stdout)["serverVersion"]
    pinned = next(t for t in testbed.TOOLS if t.module_dir == "kubernetes").version()
    assert server["gitVersion"] == pinned, f"server reports {server['gitVersion']}, gomod pins {pinned}"
    assert not server["gitVersion"].startswith("v0.0.0"), "the apiserver binary is not version-stamped"


def test_two_replica_deployment_becomes_ready(kube, namespace):
    manifest = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": namespace},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "registry.invalid/web:1"}]}}},
    }
    kube.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    kube.kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    status = kube.get("deployment", "web", "-n", namespace)["status"]
    assert status.get("readyReplicas") == 2, f"expected 2/2 ready, got {status}"
    pods = kube.get("pods", "-n", namespace, "-l", "app=web")["items"]
    assert len(pods) == 2 and all(p["spec"].get("nodeName") for p in pods), "the scheduler bound both pods"
    owners = {p["metadata"]["ownerReferences"][0]["kind"] for p in pods}
    assert owners == {"ReplicaSet"}, "pods come from the ReplicaSet made by kube-controller-manager"


def test_job_completes(kube, namespace):
    manifest = {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": namespace},
        "spec": {"backoffLimit": 0, "template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "once", "image": "registry.invalid/once:1"}]}}},
    }
    kube.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    kube.kubectl("wait", "--for=condition=Complete", "job/once", "-n", namespace, "--timeout=60s")
    assert kube.get("job", "once", "-n", namespace)["status"].get("succeeded") == 1


def test_job_whose_pod_is_labelled_to_fail_fails(kube, namespace):
    """No command runs on kwok: a failing one is played by kwok's chaos stage, selected by a pod label."""
    manifest = {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "broken", "namespace": namespace},
        "spec": {"backoffLimit": 0, "template": {"metadata": {"labels": {testbed.FAILING_POD_LABEL: "true"}}, "spec": {
            "restartPolicy": "Never", "containers": [{"name": "broken", "image": "registry.invalid/once:1"}]}}},
    }
    kube.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    kube.kubectl("wait", "--for=condition=Failed", "job/broken", "-n", namespace, "--timeout=60s")
    pod = kube.get("pods", "-n", namespace, "-l", "job-name=broken")["items"][0]
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 1


def test_pvc_binds_through_the_default_storage_class(kube, namespace):
    claims = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": namespace},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, **extra}}
        for name, extra in (("data", {}), ("nowhere", {"storageClassName": "no-such-class"}))]}
    kube.kubectl("apply", "-f", "-", stdin=json.dumps(claims))
    kube.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "-n", namespace, "--timeout=60s")
    bound = kube.get("pvc", "data", "-n", namespace)
    assert bound["spec"]["storageClassName"] == testbed.DEFAULT_STORAGE_CLASS, \
        "the DefaultStorageClass admission plugin filled in the default class"
    volume = kube.get("pv", bound["spec"]["volumeName"])
    assert volume["spec"]["claimRef"]["uid"] == bound["metadata"]["uid"]
    # The counter-case: a class that does not exist is never provisioned, as on a real cluster.
    assert kube.get("pvc", "nowhere", "-n", namespace)["status"]["phase"] == "Pending"


def test_restricted_pod_security_rejects_a_privileged_pod(kube, namespace):
    kube.kubectl("label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted")

    def pod(name, security):
        return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
                           "spec": {"containers": [{"name": "c", "image": "registry.invalid/c:1",
                                                    "securityContext": security}]}})

    rejected = kube.kubectl("apply", "-f", "-", stdin=pod("bad", {"privileged": True}), check=False)
    assert rejected.returncode != 0, "a privileged pod was admitted into a restricted namespace"
    assert 'violates PodSecurity "restricted' in rejected.stderr, rejected.stderr
    # The same namespace admits a compliant pod: the rejection above is Pod Security, not something else.
    compliant = {"privileged": False, "allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 1000,
                 "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    kube.kubectl("apply", "-f", "-", stdin=pod("good", compliant))
