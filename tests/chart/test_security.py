"""Every pod and container is locked down the same way (Pod Security Standard 'restricted' and more)."""

import pytest

from helpers.chart import render

APPS = {"backend", "frontend", "celery", "celery-beat", "migrations", "collectstatic"}


def _label(obj):
    return obj["metadata"]["labels"]["app.kubernetes.io/component"]


def test_every_container_is_restricted(rendered):
    checked = 0
    for obj, pod in rendered.pod_templates():
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert pod["automountServiceAccountToken"] is False, f"{where}: no API token is needed"
        if _label(obj) in APPS:
            assert pod["securityContext"]["runAsUser"] == 1000, f"{where}: apps run as uid 1000"
        mounts_of = {}
        for container in pod.get("initContainers", []) + pod["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["privileged"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert context["runAsUser"] == pod["securityContext"]["runAsUser"], where
            mounts_of[container["name"]] = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert container["resources"]["requests"] and container["resources"]["limits"], where
            checked += 1
        empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for mounts in mounts_of.values():
            assert mounts.get("/tmp") in empty_dirs, f"{where}: a writable /tmp on an emptyDir"
    assert checked >= 8, f"only {checked} containers found"


def test_database_uids_are_their_images_users(rendered):
    uids = {_label(o): p["securityContext"]["runAsUser"] for o, p in rendered.pod_templates()}
    assert uids["postgresql"] == 70 and uids["redis"] == 999


# Readiness checks what the component serves (the backend's health endpoint checks the database); liveness only
# that the process answers, so an outage of a dependency takes pods out of their Service without restarting them.
# Celery has no check of its own besides a ping through the broker (kube-score-accepted.yml); beat has its pid.
PROBES = {"backend": ("tcpSocket", "httpGet"), "frontend": ("tcpSocket", "httpGet"), "celery": ("exec", "exec"),
          "celery-beat": ("exec", "exec"), "postgresql": ("tcpSocket", "exec"), "redis": ("tcpSocket", "exec")}


def test_liveness_checks_the_process_and_readiness_what_it_serves(rendered):
    for obj, pod in rendered.pod_templates():
        if obj["kind"] == "Job":
            continue
        container = pod["containers"][0]
        component = _label(obj)
        for probe, kind in zip(("livenessProbe", "readinessProbe"), PROBES[component]):
            assert kind in container[probe], f"{component} {probe} should be {kind}"
        if component != "celery":
            assert container["livenessProbe"] != container["readinessProbe"], component


def test_checksums_roll_pods_when_config_or_secret_change():
    # Passwords given, so nothing is generated at random between the renders compared.
    secrets = {"secretKey": "k" * 50, "postgresPassword": "p" * 24, "redisPassword": "r" * 24}

    def annotations(values):
        deployment = render({"secrets": secrets, **values}).get("Deployment", "backend")
        return deployment["spec"]["template"]["metadata"]["annotations"]

    base = annotations({})
    assert annotations({}) == base, "the same values give the same checksums"
    config_changed = annotations({"logLevel": "ERROR"})
    assert config_changed["checksum/config"] != base["checksum/config"]
    assert config_changed["checksum/secret"] == base["checksum/secret"]
    secret_changed = annotations({"secrets": {**secrets, "redisPassword": "s" * 24}})
    assert secret_changed["checksum/secret"] != base["checksum/secret"]
    assert secret_changed["checksum/config"] == base["checksum/config"]


# What each component may read of the app's Secret: the Django processes all of it (their settings), the databases
# their own, the frontend (a static web server) nothing.
READS = {"backend": "all", "celery": "all", "celery-beat": "all", "migrations": "all", "collectstatic": "all",
         "frontend": set(), "postgresql": {"POSTGRES_USER", "POSTGRES_PASSWORD"}, "redis": {"REDIS_PASSWORD"}}
# Of those, what a component reads from a file (a projected key of the Secret), never from its environment.
AS_FILES = {"postgresql": {"POSTGRES_PASSWORD"}}


def test_each_component_receives_only_the_credentials_it_uses(rendered):
    secrets = rendered.kind("Secret")
    assert len(secrets) == 1
    every_key = set(secrets[0]["data"])
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"} <= every_key
    read = {}
    for obj, pod in rendered.pod_templates():
        keys = read.setdefault(_label(obj), set())
        for container in pod.get("initContainers", []) + pod["containers"]:
            if any("secretRef" in source for source in container.get("envFrom", [])):
                keys |= every_key
            keys |= {e["valueFrom"]["secretKeyRef"]["key"] for e in container.get("env") or []
                     if "secretKeyRef" in e.get("valueFrom", {})}
        files = {item["key"] for volume in pod.get("volumes", []) if volume.get("secret")
                 for item in volume["secret"].get("items") or [{"key": "every key"}]}
        assert files == AS_FILES.get(_label(obj), set()), f"{_label(obj)} reads {sorted(files)} from files"
        assert not keys & files, f"{_label(obj)} gets {sorted(keys & files)} both ways"
        keys |= files
    assert set(read) == set(READS), "a component to list in READS"
    for component, keys in read.items():
        expected = every_key if READS[component] == "all" else READS[component]
        assert keys == expected, f"{component} reads {sorted(keys)}, its list says {sorted(expected)}"
    frontend = rendered.get("Deployment", "frontend")["spec"]["template"]["spec"]["containers"][0]
    assert not {e["name"] for e in frontend.get("env") or []} & {"DATABASE_URL", "REDIS_URL"}


def test_existing_secret_is_used_and_no_secret_is_rendered():
    rendered = render({"secrets": {"existingSecret": "thebot-credentials", "checksum": "rev-7"}})
    assert not rendered.kind("Secret"), "with existingSecret the release holds no credentials"
    for obj, pod in rendered.pod_templates():
        refs = [e["secretRef"]["name"] for c in pod["containers"] for e in c.get("envFrom", []) if "secretRef" in e]
        refs += [e["valueFrom"]["secretKeyRef"]["name"] for c in pod["containers"] for e in c.get("env", [])
                 if "valueFrom" in e and "secretKeyRef" in e["valueFrom"]]
        assert set(refs) <= {"thebot-credentials"}, obj["metadata"]["name"]
        assert refs or _label(obj) == "frontend", f"{obj['metadata']['name']} reads no credential"
    first = rendered.get("Deployment", "backend")["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]
    rotated = render({"secrets": {"existingSecret": "thebot-credentials", "checksum": "rev-8"}})
    assert rotated.get("Deployment", "backend")["spec"]["template"]["metadata"]["annotations"]["checksum/secret"] != first
    # The frontend reads no credential: a rotation leaves its pods alone (its config checksum still rolls it).
    annotations = [r.get("Deployment", "frontend")["spec"]["template"]["metadata"]["annotations"] for r in (rendered, rotated)]
    assert annotations[0] == annotations[1] and set(annotations[0]) == {"checksum/config"}


@pytest.mark.parametrize("replicas,expected", [(1, False), (2, True)])
def test_preferred_anti_affinity_when_more_than_one_replica(replicas, expected):
    pod = render({"backend": {"replicaCount": replicas}}).get("Deployment", "backend")["spec"]["template"]["spec"]
    anti = pod.get("affinity", {}).get("podAntiAffinity", {})
    assert bool(anti.get("preferredDuringSchedulingIgnoredDuringExecution")) is expected
    assert "requiredDuringSchedulingIgnoredDuringExecution" not in anti


def test_images_by_tag_or_digest():
    digest = "sha256:" + "a" * 64
    rendered = render({"image": {"tag": "2.3.4"}, "frontend": {"image": {"digest": digest}}})
    images = {o["metadata"]["labels"]["app.kubernetes.io/component"]: p["containers"][0]["image"]
              for o, p in rendered.pod_templates()}
    assert images["backend"] == "docker.io/thebot/backend:2.3.4"
    assert images["celery"] == images["celery-beat"] == images["migrations"] == "docker.io/thebot/backend:2.3.4"
    assert images["frontend"] == f"docker.io/thebot/frontend@{digest}"
