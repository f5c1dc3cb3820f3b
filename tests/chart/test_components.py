"""One workload template for the four app components; disabling a component removes all of it."""

import pytest

from helpers.chart import env_values, render, render_result

SECTIONS = {"backend": "backend", "frontend": "frontend", "celery": "celery", "celeryBeat": "celery-beat",
            "postgresql": "postgresql", "redis": "redis"}


def _shape(value):
    """The keys of a nested structure, without the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def test_app_deployments_have_one_shape():
    rendered = render({name: {"replicaCount": 1} for name in ("backend", "frontend", "celery")})
    shapes = {}
    for name in ("backend", "frontend", "celery", "celery-beat"):
        pod = rendered.get("Deployment", name)["spec"]["template"]["spec"]
        container = dict(pod["containers"][0])
        # Fields that are data, not structure: probes (HTTP or exec), args, volume lists, and the environment
        # (the frontend's has no credentials: test_security).
        for field in ("livenessProbe", "readinessProbe", "args", "volumeMounts", "env", "envFrom"):
            container.pop(field, None)
        shapes[name] = _shape({**{k: v for k, v in pod.items() if k not in ("containers", "volumes")},
                               "container": container})
    first = shapes["backend"]
    assert all(shape == first for shape in shapes.values()), "the app Deployments differ in structure"


@pytest.mark.parametrize("section", SECTIONS)
def test_disabling_a_component_removes_all_its_objects(section):
    component = SECTIONS[section]
    values = env_values("prod")
    assert component in render(values).components()
    if section == "backend":
        values["ingress"]["enabled"] = False  # the ingress routes to the backend; validation says so otherwise
    if section == "frontend":
        values["ingress"]["enabled"] = False
    values[section] = {**values.get(section, {}), "enabled": False}
    if section == "postgresql":
        values["externalDatabase"] = {"host": "db.example.internal"}
    if section == "redis":
        values["externalRedis"] = {"host": "redis.example.internal"}
    rendered = render(values)
    assert component not in rendered.components(), f"objects of {component} remain after disabling it"
    assert not any(o["metadata"]["name"].endswith(f"-np-{component}") for o in rendered.kind("NetworkPolicy"))
    if section == "backend":
        assert not rendered.kind("Job"), "the hook jobs run on the backend image and go with it"


def test_disabled_component_behind_an_ingress_path_is_refused():
    values = env_values("prod")
    values["frontend"] = {"enabled": False}
    result = render_result(values)
    assert result.returncode != 0
    assert "routes / to frontend, which is disabled" in result.stderr, result.stderr


def test_celery_beat_is_a_singleton_replaced_with_recreate():
    beat = render(env_values("prod")).get("Deployment", "celery-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    refused = (({"replicaCount": 2}, "value must be 1"),
               ({"autoscaling": {"enabled": True}}, "value must be false"),
               ({"strategy": {"type": "RollingUpdate"}}, "value must be 'Recreate'"))
    for override, message in refused:
        result = render_result({"celeryBeat": override})
        assert result.returncode != 0 and message in result.stderr, result.stderr


@pytest.mark.parametrize("section,resource,asked,limit", [
    ("backend", "cpu", "2", "1"), ("celery", "memory", "2Gi", "1Gi"), ("postgresql", "cpu", "600m", 0.5),
    ("redis", "memory", "257Mi", "256Mi"), ("jobs", "memory", "1025Mi", "1Gi"), ("frontend", "cpu", 1.5, "1")])
def test_a_request_above_its_limit_is_refused_by_the_chart_naming_the_field(section, resource, asked, limit):
    """A rule across fields: its home is templates/validate.yaml, which deploy.yml renders before any write."""
    result = render_result({section: {"resources": {"requests": {resource: asked}, "limits": {resource: limit}}}})
    assert result.returncode != 0, f"{section}: {asked} above {limit} was accepted"
    assert f"{section}.resources.requests.{resource}: the {resource} request {asked} is above its limit {limit}" \
        in result.stderr, result.stderr


@pytest.mark.parametrize("asked,limit", [("500m", 0.5), ("1Gi", "1024Mi"), ("100m", "0.1"), ("1k", "1000")])
def test_a_request_equal_to_its_limit_in_another_form_passes(asked, limit):
    result = render_result({"backend": {"resources": {"requests": {"cpu": asked}, "limits": {"cpu": limit}}}})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("allowed,expected", [("", "thebot-backend,localhost"), ("a.example", "a.example,localhost"),
                                              ("localhost,b.example", "localhost,b.example")])
def test_allowed_hosts_always_admit_the_probes_host(allowed, expected):
    """The kubelet's HTTP probes come with the pod IP as Host, which Django refuses: they send Host localhost,
    and ALLOWED_HOSTS always lists it."""
    rendered = render({"config": {"allowedHosts": allowed}, "ingress": {"enabled": False}})
    assert rendered.kind("ConfigMap")[0]["data"]["ALLOWED_HOSTS"] == expected
    backend = rendered.get("Deployment", "backend")["spec"]["template"]["spec"]["containers"][0]
    assert backend["readinessProbe"]["httpGet"]["httpHeaders"] == [{"name": "Host", "value": "localhost"}]
    assert "httpGet" not in backend["livenessProbe"], "the liveness probe is a TCP connect: no Host"


def test_version_labels_tell_what_each_component_runs():
    digest = "sha256:" + "0123456789abcdef" * 4
    rendered = render({"image": {"tag": "1.4.2"}, "frontend": {"image": {"digest": digest}},
                       "celery": {"image": {"tag": "1.4.3"}}})
    expected = {"backend": "1.4.2", "frontend": "sha256-0123456789ab", "celery": "1.4.3", "celery-beat": "1.4.2",
                "postgresql": rendered.get("StatefulSet", "postgresql")["spec"]["template"]["spec"]["containers"][0][
                    "image"].rsplit(":", 1)[1],
                "redis": rendered.get("StatefulSet", "redis")["spec"]["template"]["spec"]["containers"][0][
                    "image"].rsplit(":", 1)[1],
                "migrations": "1.4.2", "collectstatic": "1.4.2"}
    assert expected["postgresql"] != expected["redis"] != "1.4.2"
    for obj in rendered:
        component = obj["metadata"]["labels"].get("app.kubernetes.io/component")
        version = obj["metadata"]["labels"]["app.kubernetes.io/version"]
        assert version == expected.get(component, "1.4.2"), f"{obj['kind']}/{obj['metadata']['name']}: {version}"
        template = obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels")
        if template:
            assert template["app.kubernetes.io/version"] == version, obj["metadata"]["name"]
    frontend = rendered.get("Deployment", "frontend")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert frontend.endswith("@" + digest), "the label's short form is of the digest that runs"


def test_the_components_on_the_backends_image_follow_its_digest_and_tag():
    """celery, celery-beat and the hook jobs run the backend's code: pinning the backend pins them, unless one
    names a tag or an image of its own."""
    digest = "sha256:" + "fedcba9876543210" * 4
    images = {o["metadata"]["labels"]["app.kubernetes.io/component"]: [c["image"] for c in p["containers"]]
              for o, p in render({"image": {"tag": "1.4.2"}, "backend": {"image": {"digest": digest}},
                                  "celeryBeat": {"image": {"tag": "1.4.3"}}}).pod_templates()}
    pinned = f"docker.io/thebot/backend@{digest}"
    assert images["backend"] == images["celery"] == images["migrations"] == images["collectstatic"] == [pinned]
    assert images["celery-beat"] == ["docker.io/thebot/backend:1.4.3"]
    tagged = render({"backend": {"image": {"tag": "2.0.0"}}}).get("Deployment", "celery")
    assert tagged["spec"]["template"]["spec"]["containers"][0]["image"] == "docker.io/thebot/backend:2.0.0"


def test_app_defaults_reach_every_app_and_a_components_own_false_wins():
    rendered = render({"appDefaults": {"nodeSelector": {"pool": "apps"}, "autoscaling": {"enabled": True}},
                       "frontend": {"autoscaling": {"enabled": False}},
                       "celery": {"enabled": False},
                       "backend": {"strategy": {"type": "Recreate"}}})
    deployments = {o["metadata"]["labels"]["app.kubernetes.io/component"]: o for o in rendered.kind("Deployment")}
    assert set(deployments) == {"backend", "frontend", "celery-beat"}, "celery's own enabled: false wins"
    for deployment in deployments.values():
        assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"pool": "apps"}
    assert "nodeSelector" not in rendered.get("StatefulSet", "postgresql")["spec"]["template"]["spec"]
    autoscaled = {o["metadata"]["labels"]["app.kubernetes.io/component"] for o in rendered.kind("HorizontalPodAutoscaler")}
    assert autoscaled == {"backend"}, "frontend's own false and beat's own false win over appDefaults' true"
    # Recreate takes no rollingUpdate (the defaults' would make the Deployment invalid).
    assert deployments["backend"]["spec"]["strategy"] == {"type": "Recreate"}
    assert deployments["frontend"]["spec"]["strategy"]["type"] == "RollingUpdate"
    frontend = deployments["frontend"]["spec"]["template"]["spec"]["containers"][0]
    assert not frontend.get("envFrom", []) or all("secretRef" not in e for e in frontend["envFrom"])
