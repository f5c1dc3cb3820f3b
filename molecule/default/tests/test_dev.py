"""dev after two deploys: one revision, the seed report's dev values, every pod hardened, wired and admitted.

What is asserted here is what the API server accepted and the controllers made of it, on either provider;
on kind, Ready is the answer of the real probes. What only running containers show is in
test_dev_running.py and test_dev_network.py.
"""

import base64

import pytest

APPS = ("backend", "frontend", "celery", "celery-beat")
DATABASES = ("postgresql", "redis")


def test_the_second_deploy_made_no_revision(cluster):
    assert [(r["revision"], r["status"]) for r in cluster.history()] == [(1, "deployed")]
    assert cluster.values()["environment"] == "dev"


@pytest.mark.parametrize("component", APPS)
def test_each_app_runs_one_ready_replica_of_the_chart_image(cluster, component):
    deployment = cluster.get("deployment", f"thebot-{component}")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["status"].get("readyReplicas") == 1, deployment["status"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    # The chart's appVersion, since dev pins no tag; celery runs the backend's image. The registry and the
    # repositories are the provider's (the chart's own names on kwok, the fixtures on kind).
    values = cluster.values()
    app = "frontend" if component == "frontend" else "backend"
    assert image == f"{values['image']['registry']}/{values[app]['image']['repository']}:1.0.0"
    assert values[app]["image"]["repository"].endswith(f"/{app}")


def test_dev_has_no_autoscaler_and_no_disruption_budget(cluster):
    """The seed report's dev: one replica, no autoscaling; a PDB only where there is more than one replica."""
    assert not cluster.items("horizontalpodautoscaler")
    assert not cluster.items("poddisruptionbudget")


def test_every_container_is_hardened(cluster):
    pods = cluster.items("pods")
    assert {p["metadata"]["labels"]["app.kubernetes.io/component"] for p in pods} >= {*APPS, *DATABASES}
    for pod in pods:
        name = pod["metadata"]["name"]
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True, name
        assert pod["spec"]["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in pod["spec"]["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            if pod["metadata"]["labels"]["app.kubernetes.io/component"] not in DATABASES:
                assert context["runAsUser"] == 1000, name


def test_namespace_enforces_the_restricted_pod_security_standard(cluster):
    labels = cluster.cluster_get("namespace", cluster.namespace)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("component,liveness,readiness", [
    ("deployment/backend", "tcpSocket", "httpGet"), ("deployment/frontend", "tcpSocket", "httpGet"),
    ("deployment/celery", "exec", "exec"), ("deployment/celery-beat", "exec", "exec"),
    ("statefulset/postgresql", "tcpSocket", "exec"), ("statefulset/redis", "tcpSocket", "exec")])
def test_liveness_and_readiness_probes(cluster, component, liveness, readiness):
    kind, name = component.split("/")
    container = cluster.get(kind, f"thebot-{name}")["spec"]["template"]["spec"]["containers"][0]
    assert liveness in container["livenessProbe"] and readiness in container["readinessProbe"]


@pytest.mark.parametrize("component", APPS)
def test_apps_read_the_config_and_only_django_reads_the_credentials(cluster, component):
    container = cluster.get("deployment", f"thebot-{component}")["spec"]["template"]["spec"]["containers"][0]
    expected = [{"configMapRef": {"name": "thebot"}}]
    if component != "frontend":  # a static web server: no credentials
        expected.append({"secretRef": {"name": "thebot-credentials"}})
    assert container["envFrom"] == expected


def test_config_and_credentials_hold_what_the_apps_need(cluster):
    config = cluster.get("configmap", "thebot")["data"]
    assert len(config) == 11 and config["DEBUG"] == "True" and config["ENVIRONMENT"] == "dev"
    assert config["DATABASE_HOST"] == "thebot-postgresql" and config["REDIS_HOST"] == "thebot-redis"
    credentials = cluster.get("secret", "thebot-credentials")["data"]
    assert len(credentials) == 6 and "DATABASE_URL" not in credentials, "credentials only; the chart builds the URLs"
    assert base64.b64decode(credentials["POSTGRES_PASSWORD"]).decode()
    container = cluster.get("deployment", "thebot-backend")["spec"]["template"]["spec"]["containers"][0]
    urls = {e["name"]: e["value"] for e in container["env"]}
    assert urls["DATABASE_URL"] == "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@thebot-postgresql:5432/thebot"


def test_database_claims_bound_at_the_dev_sizes(cluster):
    claims = {c["metadata"]["name"]: c for c in cluster.items("persistentvolumeclaim")}
    assert claims["data-thebot-postgresql-0"]["status"]["capacity"]["storage"] == "5Gi"
    assert claims["data-thebot-redis-0"]["status"]["capacity"]["storage"] == "2Gi"
    assert all(c["status"]["phase"] == "Bound" and c["spec"]["storageClassName"] == "standard"
               for c in claims.values())


def test_network_policies_deny_by_default_then_allow_dns_and_the_database_to_its_clients(cluster):
    policies = {p["metadata"]["name"]: p["spec"] for p in cluster.items("networkpolicy")}
    deny = policies["thebot-np-default-deny"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny and "egress" not in deny
    dns = policies["thebot-np-dns"]["egress"][0]
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    database = policies["thebot-np-postgresql"]["ingress"][0]
    assert database["ports"] == [{"port": 5432, "protocol": "TCP"}]
    clients = database["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    # backup: the collection's backup and restore runner (roles/backup), a pod only while backup.yml or restore.yml runs
    assert set(clients) == {"backend", "celery", "celery-beat", "migrations", "collectstatic", "backup"}
    assert "frontend" not in clients, "the frontend never reaches the database"


def test_hook_jobs_completed(cluster):
    jobs = {j["metadata"]["name"]: j["status"] for j in cluster.items("job")}
    assert jobs["thebot-migrations"].get("succeeded") == 1 and jobs["thebot-collectstatic"].get("succeeded") == 1
