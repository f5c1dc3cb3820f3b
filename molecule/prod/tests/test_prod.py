"""prod: the seed report's production shape, every pod admitted under the restricted standard."""

import pytest

SCALED = {"backend": (3, 10), "frontend": (3, 5), "celery": (3, 8)}


def test_one_revision_after_two_deploys(cluster):
    assert [(r["revision"], r["status"]) for r in cluster.history()] == [(1, "deployed")]
    assert cluster.values()["environment"] == "prod"


@pytest.mark.parametrize("component", SCALED)
def test_three_ready_replicas_of_the_pinned_image(cluster, component):
    deployment = cluster.get("deployment", f"thebot-{component}")
    assert deployment["status"].get("readyReplicas") == 3, deployment["status"]
    # prod requires digests: the worker runs the backend's image, pinned by the backend's digest.
    digest = cluster.values()[{"celery": "backend"}.get(component, component)]["image"]["digest"]
    assert digest.startswith("sha256:")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(f"@{digest}")


def test_every_container_runs_its_image_by_digest(cluster):
    """On kind the kubelet found each image by its digest alone (pull policy Never there: nothing is pulled)."""
    pods = cluster.items("pods")
    assert pods
    for pod in pods:
        for container in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
            assert "@sha256:" in container["image"], (pod["metadata"]["name"], container["image"])
        for status in pod["status"].get("containerStatuses", []):
            assert status["ready"] or pod["metadata"]["labels"].get("app.kubernetes.io/component") in (
                "migrations", "collectstatic"), (pod["metadata"]["name"], status)


@pytest.mark.parametrize("component,bounds", SCALED.items())
def test_autoscaling_bounds(cluster, component, bounds):
    hpa = cluster.get("horizontalpodautoscaler", f"thebot-{component}")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == bounds
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": f"thebot-{component}"}


def test_one_scheduler_only(cluster):
    beat = cluster.get("deployment", "thebot-celery-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert not [h for h in cluster.items("horizontalpodautoscaler") if h["metadata"]["name"].endswith("beat")]


def test_a_disruption_budget_for_every_component_with_several_replicas(cluster):
    budgets = {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]: p
               for p in cluster.items("poddisruptionbudget")}
    assert set(budgets) == set(SCALED)
    for component, budget in budgets.items():
        # The disruption controller found the pods: the budget protects something real.
        assert budget["status"]["expectedPods"] == 3, component
        assert budget["status"]["disruptionsAllowed"] >= 1, component


def test_network_policies_default_deny_and_dns(cluster):
    names = {p["metadata"]["name"] for p in cluster.items("networkpolicy")}
    assert {"thebot-np-default-deny", "thebot-np-dns", "thebot-np-postgresql", "thebot-np-redis"} <= names


def test_namespace_enforces_restricted_and_every_pod_was_admitted(cluster):
    labels = cluster.cluster_get("namespace", cluster.namespace)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    # A pod the admission refused never exists: its ReplicaSet reports ReplicaFailure instead.
    for replica_set in cluster.items("replicaset"):
        conditions = replica_set["status"].get("conditions", [])
        assert not [c for c in conditions if c["type"] == "ReplicaFailure"], replica_set["metadata"]["name"]
    running = [p for p in cluster.items("pods") if p["status"]["phase"] == "Running"]
    assert len(running) == 3 * 3 + 1 + 2, "3 x backend, frontend, celery; beat; postgresql; redis"


def test_database_claims_on_fast_ssd_at_the_prod_sizes(cluster):
    claims = {c["metadata"]["name"]: c for c in cluster.items("persistentvolumeclaim")}
    assert claims["data-thebot-postgresql-0"]["status"]["capacity"]["storage"] == "100Gi"
    assert claims["data-thebot-redis-0"]["status"]["capacity"]["storage"] == "50Gi"
    assert {c["spec"]["storageClassName"] for c in claims.values()} == {"fast-ssd"}


def test_no_credential_in_the_release_values(cluster):
    values = cluster.values()
    assert values["secrets"]["existingSecret"] == "thebot-credentials"
    for key in ("secretKey", "postgresPassword", "redisPassword", "telegramBotToken", "emailHostPassword"):
        assert values["secrets"][key] == "", key
