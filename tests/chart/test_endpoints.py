"""The chart owns the endpoints: DATABASE_URL and REDIS_URL are built from its own host, port and database,
for the bundled and the external databases alike, and no credential is written into any manifest."""

import pytest
import yaml

from helpers.chart import CHART, env_values, render

CREDENTIALS = yaml.safe_load((CHART / "files" / "credentials.yaml").read_text())


def reads_the_app_credentials(obj):
    """The databases read their own keys, the frontend none (test_security); the rest the app's settings."""
    return obj["kind"] != "StatefulSet" and obj["metadata"]["labels"]["app.kubernetes.io/component"] != "frontend"


def app_environments(rendered):
    """{object/container: {name: value}} of the env of every Deployment and hook Job with the app's settings."""
    found = {}
    for obj, pod in rendered.pod_templates():
        if not reads_the_app_credentials(obj):
            continue
        for container in pod["containers"]:
            found[f"{obj['metadata']['name']}/{container['name']}"] = {
                e["name"]: e.get("value") for e in container.get("env", [])}
    return found


@pytest.mark.parametrize("case", ["bundled", "external", "fullnameOverride", "existingSecret"])
def test_the_urls_point_where_the_configmap_does(case):
    values = env_values("prod")
    if case == "external":
        values["postgresql"] = {"enabled": False}
        values["externalDatabase"] = {"host": "db.example.internal", "port": 6432, "database": "bot"}
        values["redis"] = {"enabled": False}
        values["externalRedis"] = {"host": "cache.example.internal", "port": 6380}
    if case == "fullnameOverride":
        values["fullnameOverride"] = "chat"
    if case == "existingSecret":
        values["secrets"] = {"existingSecret": "thebot-credentials"}
    rendered = render(values)
    config = rendered.kind("ConfigMap")[0]["data"]
    database = f"{config['DATABASE_HOST']}:{config['DATABASE_PORT']}/{config['DATABASE_NAME']}"
    redis = f"{config['REDIS_HOST']}:{config['REDIS_PORT']}"
    environments = app_environments(rendered)
    assert len(environments) >= 3 + len(rendered.kind("Job"))
    for where, env in environments.items():
        assert env["DATABASE_URL"] == f"postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@{database}", where
        assert env["REDIS_URL"] == f"redis://:$(REDIS_PASSWORD)@{redis}/0", where
    if case == "external":
        assert database == "db.example.internal:6432/bot" and redis == "cache.example.internal:6380"
    if case == "fullnameOverride":
        assert config["DATABASE_HOST"] == "chat-postgresql"
        assert "chat-postgresql" in {o["metadata"]["name"] for o in rendered.kind("Service")}


def test_the_url_is_expanded_from_variables_envfrom_defines_first():
    """Kubernetes expands $(VAR) only from variables defined before: the Secret must come in by envFrom."""
    rendered = render(env_values("dev"))
    for obj, pod in rendered.pod_templates():
        if not reads_the_app_credentials(obj):
            continue
        container = pod["containers"][0]
        sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
        assert rendered.kind("Secret")[0]["metadata"]["name"] in sources, obj["metadata"]["name"]
        assert [e["name"] for e in container["env"]][:2] == ["DATABASE_URL", "REDIS_URL"]


def test_no_manifest_holds_a_credential_and_the_chart_makes_only_the_listed_keys():
    given = {"secretKey": "k" * 50, "postgresPassword": "Pq8Wn3Zx6Lm1Vr5Tb9Kd", "redisPassword": "Rt5Yh8Uj2Ik9Ol3Pa7Sd"}
    rendered = render({"secrets": given})
    secret = rendered.kind("Secret")[0]
    assert set(secret["data"]) == {c["key"] for c in CREDENTIALS}
    others = yaml.safe_dump([o for o in rendered if o["kind"] != "Secret"])
    for value in given.values():
        assert value not in others


@pytest.mark.parametrize("value", ["p@ss", "a?b", "a/b", "50%", "sp ace"])
def test_a_password_a_url_cannot_hold_is_refused_by_the_schema(value):
    from helpers.chart import render_result

    result = render_result({"secrets": {"postgresPassword": "Pq8Wn3Zx6Lm1Vr5Tb9Kd" + value}})
    assert result.returncode != 0 and "postgresPassword" in result.stderr, result.stderr
