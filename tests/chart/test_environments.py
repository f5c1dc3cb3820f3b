"""The seed report's per-environment figures, as rendered from the inventories' values."""

import pytest

from helpers.chart import SERVICE_MONITOR, env_values, render

# The seed report's figures: (replicas or HPA bounds, requests), per environment and component.
FIGURES = {
    "dev": {"backend": (1, None, "250m", "256Mi"), "frontend": (1, None, "100m", "128Mi"),
            "celery": (1, None, "250m", "256Mi")},
    "staging": {"backend": (2, (2, 4), "500m", "512Mi"), "frontend": (2, (2, 3), "200m", "256Mi"),
                "celery": (2, (2, 4), "500m", "512Mi")},
    "prod": {"backend": (3, (3, 10), "1000m", "1Gi"), "frontend": (3, (3, 5), "500m", "512Mi"),
             "celery": (3, (3, 8), "1000m", "1Gi")},
}
STORAGE = {"dev": ("5Gi", "2Gi", "standard"), "staging": ("20Gi", "10Gi", "ssd"),
           "prod": ("100Gi", "50Gi", "fast-ssd")}
DEBUG = {"dev": "True", "staging": "False", "prod": "False"}


@pytest.mark.parametrize("component", ["backend", "frontend", "celery"])
def test_replicas_autoscaling_and_resources(rendered, env, component):
    replicas, bounds, cpu, memory = FIGURES[env][component]
    deployment = rendered.get("Deployment", component)
    hpas = [h for h in rendered.kind("HorizontalPodAutoscaler")
            if h["metadata"]["labels"]["app.kubernetes.io/component"] == component]
    if bounds is None:
        assert deployment["spec"]["replicas"] == replicas
        assert not hpas, f"{env}: no autoscaling expected for {component}"
    else:
        assert "replicas" not in deployment["spec"], "with an HPA the Deployment leaves replicas to it"
        assert len(hpas) == 1
        spec = hpas[0]["spec"]
        assert (spec["minReplicas"], spec["maxReplicas"]) == bounds, f"{env} {component} HPA bounds"
        assert spec["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        assert spec["minReplicas"] == replicas
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert (requests["cpu"], requests["memory"]) == (cpu, memory) == (limits["cpu"], limits["memory"])
    assert set(requests) == set(limits) == {"cpu", "memory", "ephemeral-storage"}, "local disk bounded too"


def test_database_storage_sizes_and_classes(rendered, env):
    postgres_size, redis_size, storage_class = STORAGE[env]
    for component, size in (("postgresql", postgres_size), ("redis", redis_size)):
        claim = rendered.get("StatefulSet", component)["spec"]["volumeClaimTemplates"][0]["spec"]
        assert claim["resources"]["requests"]["storage"] == size, f"{env} {component} volume size"
        assert claim["storageClassName"] == storage_class, f"{env} {component} storage class"
    for component in ("static", "media"):
        assert rendered.get("PersistentVolumeClaim", component)["spec"]["storageClassName"] == storage_class


def test_debug_flag(rendered, env):
    config = rendered.kind("ConfigMap")[0]["data"]
    assert config["DEBUG"] == DEBUG[env]
    assert config["ENVIRONMENT"] == env


def test_configmap_has_the_eleven_settings_and_secret_the_six_credentials(rendered):
    config = rendered.kind("ConfigMap")[0]["data"]
    assert set(config) == {"ENVIRONMENT", "DEBUG", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS", "CORS_ALLOWED_ORIGINS",
                           "LOG_LEVEL", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "REDIS_HOST", "REDIS_PORT"}
    secret = rendered.kind("Secret")[0]["data"]
    assert set(secret) == {"SECRET_KEY", "POSTGRES_USER", "POSTGRES_PASSWORD", "REDIS_PASSWORD",
                           "TELEGRAM_BOT_TOKEN", "EMAIL_HOST_PASSWORD"}, "credentials only: the URLs are built in the pods"


def test_pdb_for_every_component_with_more_than_one_replica(rendered, env):
    budgets = {p["metadata"]["labels"]["app.kubernetes.io/component"] for p in rendered.kind("PodDisruptionBudget")}
    several = {c for c, (replicas, *_rest) in FIGURES[env].items() if replicas > 1}
    assert budgets == several, f"{env}: PDBs for {sorted(budgets)}, expected {sorted(several)}"


def test_network_policies_start_from_default_deny(rendered):
    policies = {p["metadata"]["name"].rsplit("-np-", 1)[1]: p["spec"] for p in rendered.kind("NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny and "egress" not in deny
    dns = policies["dns"]["egress"][0]
    assert {(p["protocol"], p["port"]) for p in dns["ports"]} == {("UDP", 53), ("TCP", 53)}
    assert policies["postgresql"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
    clients = policies["postgresql"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    assert "frontend" not in clients and "migrations" in clients, "only the Django side talks to the database"


def test_only_prometheus_pods_of_the_monitoring_namespace_scrape(env):
    values = env_values(env)
    values["metrics"] = {**values.get("metrics", {}), "enabled": True}
    values["networkPolicy"] = {**values.get("networkPolicy", {}), "enabled": True}
    policies = {p["metadata"]["name"].rsplit("-np-", 1)[1]: p["spec"] for p in render(values).kind("NetworkPolicy")}
    for component in ("backend", "celery", "celery-beat"):
        sources = [source for rule in policies[component]["ingress"] for source in rule["from"]]
        monitoring = [s for s in sources
                      if s["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}]
        assert monitoring == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                               "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}], component
        assert all(s.get("podSelector") is not None for s in sources), f"{component}: a whole namespace is admitted"


def test_ingress_routes_frontend_at_root_and_backend_paths_with_tls(env):
    rendered = render(env_values(env))
    ingress = rendered.kind("Ingress")[0]["spec"]
    routes = {(rule["host"], path["path"]): path["backend"]["service"]["name"].rsplit("-", 1)[-1]
              for rule in ingress["rules"] for path in rule["http"]["paths"]}
    assert {("/", "frontend")} <= {(p, c) for (_host, p), c in routes.items()}
    assert {p for (_host, p), c in routes.items() if c == "backend"} == {"/api", "/admin", "/static", "/media"}
    if env != "dev":
        assert len(ingress["rules"]) >= 2, "several hosts"
        covered = {h for tls in ingress["tls"] for h in tls["hosts"]}
        assert covered == {rule["host"] for rule in ingress["rules"]}, "TLS on every host"


def test_service_monitor_only_where_its_crd_is_served(env):
    values = env_values(env)
    monitored = values.get("metrics", {}).get("serviceMonitor", {}).get("enabled", False)
    assert not render(values).kind("ServiceMonitor"), "no CRD: no ServiceMonitor, and the render still succeeds"
    assert len(render(values, api_versions=[SERVICE_MONITOR]).kind("ServiceMonitor")) == (1 if monitored else 0)
