"""The security posture of a prod deploy, read from the live cluster (the renders are tests/chart's).

Recorded: restricted Pod Security admits every pod (and refuses a privileged one), a default-deny
NetworkPolicy covers every pod, no pod has an API token mounted, the release's ServiceAccount can do
nothing in the API. Containers do not run (kwok): what the kernel would enforce is not tested here.
"""

import json
import uuid

import pytest
import yaml

from helpers.deploy import PROD_RELEASE

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def prod(module_deploy, tmp_path_factory):
    strong = {key: uuid.uuid4().hex + uuid.uuid4().hex for key in
              ("secret_key", "postgres_password", "redis_password", "telegram_bot_token", "email_host_password")}
    secrets = tmp_path_factory.mktemp("posture") / "secrets.yml"
    secrets.write_text(yaml.safe_dump({"thebot_secrets": {**strong, "postgres_user": "thebot"}}))
    result = module_deploy("-l", "prod-eu-1", *PROD_RELEASE, "-e", f"@{secrets}", env="prod")
    assert result.returncode == 0, result.output[-3000:]
    return result.namespace


def test_restricted_pod_security_admits_every_pod_and_refuses_a_privileged_one(kube, prod):
    labels = kube.get("namespace", prod)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    refused = [e for e in kube.get("events", "-n", prod)["items"] if e["reason"] == "FailedCreate"]
    assert not refused, [e["message"] for e in refused]
    for kind in ("deployment", "statefulset"):
        for workload in kube.get(kind, "-n", prod)["items"]:
            status = workload["status"]
            assert status.get("readyReplicas") == workload["spec"]["replicas"], workload["metadata"]["name"]
    privileged = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "privileged", "namespace": prod},
                  "spec": {"containers": [{"name": "c", "image": "busybox",
                                           "securityContext": {"privileged": True}}]}}
    result = kube.kubectl("apply", "--dry-run=server", "-f", "-", stdin=json.dumps(privileged), check=False)
    assert result.returncode != 0 and 'violates PodSecurity "restricted' in result.stderr, result.stderr


def test_a_default_deny_network_policy_selects_every_pod(kube, prod):
    policies = kube.get("networkpolicy", "-n", prod)["items"]
    deny = [p for p in policies if p["spec"]["podSelector"].get("matchExpressions") is None
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert len(deny) == 1, [p["metadata"]["name"] for p in policies]
    selector = deny[0]["spec"]["podSelector"].get("matchLabels", {})
    pods = kube.get("pods", "-n", prod)["items"]
    assert pods and all(selector.items() <= p["metadata"]["labels"].items() for p in pods), \
        "the default deny selects every pod of the release"


def test_no_pod_mounts_an_api_token(kube, prod):
    pods = kube.get("pods", "-n", prod)["items"]
    assert len(pods) >= 10
    for pod in pods:
        assert pod["spec"]["automountServiceAccountToken"] is False, pod["metadata"]["name"]
        projected = [v for v in pod["spec"].get("volumes", []) if "projected" in v and any(
            "serviceAccountToken" in s for s in v["projected"]["sources"])]
        assert not projected, f"{pod['metadata']['name']} has an API token volume"


def test_the_service_account_can_do_nothing_in_the_api(kube, prod):
    accounts = {p["spec"]["serviceAccountName"] for p in kube.get("pods", "-n", prod)["items"]}
    assert accounts == {"thebot"}, accounts
    assert not kube.get("role,rolebinding", "-n", prod)["items"], "the release grants no role"
    bound = [b["metadata"]["name"] for b in kube.get("clusterrolebinding")["items"]
             if any(s.get("name") == "thebot" and s.get("namespace") == prod for s in b.get("subjects") or [])]
    assert not bound
    who = f"--as=system:serviceaccount:{prod}:thebot"
    for verb, resource in (("get", "secrets"), ("list", "pods"), ("get", "configmaps"), ("create", "pods"),
                           ("list", "secrets")):
        answer = kube.kubectl("auth", "can-i", verb, resource, "-n", prod, who, check=False)
        assert answer.stdout.strip() == "no", f"{verb} {resource}: {answer.stdout}"
