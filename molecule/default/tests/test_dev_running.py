"""dev with real containers (kind): the processes, the file systems, the listeners, the app end to end.

Everything here runs inside the pods (kubectl exec) or from a pod standing where the ingress controller
would be: nothing is read from what the test or the playbook wrote. On the kwok provider these tests do
not run (kwok starts no container) and say so.
"""

import base64
import datetime

import pytest

from conftest import eventually

INGRESS_HOST = "thebot.dev.localhost"  # dev's ingress host, which ALLOWED_HOSTS admits
COMPONENTS = ("backend", "frontend", "celery", "celery-beat", "postgresql", "redis")


def backend_url(cluster, path: str) -> str:
    return f"http://thebot-backend.{cluster.namespace}.svc.cluster.local:8000{path}"


def uids(containers, pod: str, container: str) -> set:
    """The real uid of every process in the container, from /proc."""
    result = containers.run(pod, "cat /proc/[0-9]*/status", container=container)
    assert result.rc == 0, result.stderr
    return {int(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("Uid:")}


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_process_runs_as_the_uid_the_chart_sets_and_not_root(containers, component):
    pod = containers.pod(component)
    context = pod["spec"].get("securityContext", {})
    for container in pod["spec"]["containers"]:
        expected = container.get("securityContext", {}).get("runAsUser", context.get("runAsUser"))
        assert expected not in (None, 0), f"{component}: the chart sets no non-root uid"
        assert uids(containers, pod["metadata"]["name"], container["name"]) == {expected}


@pytest.mark.parametrize("component", COMPONENTS)
def test_the_root_file_system_refuses_a_write(containers, component):
    pod = containers.pod(component)
    result = containers.run(pod["metadata"]["name"], "touch /thebot-write-probe")
    assert result.rc != 0
    assert "Read-only file system" in result.stderr


def test_postgresql_listens_and_asks_for_a_password(containers, cluster):
    pod = containers.pod("postgresql")["metadata"]["name"]
    assert containers.run(pod, "pg_isready --host=127.0.0.1 --port=5432").rc == 0
    # over TCP, a client that brings no password is refused (scram-sha-256 for every host)
    refused = containers.run(pod, 'psql "host=127.0.0.1 user=$POSTGRES_USER dbname=$POSTGRES_DB" -w -c "select 1"')
    assert refused.rc != 0 and "password" in refused.stderr, refused.stderr


def test_redis_listens_and_refuses_a_client_without_the_password(containers):
    pod = containers.pod("redis")["metadata"]["name"]
    # the chart gives the container REDISCLI_AUTH (for its probes): a client without it is one that unsets it
    without = containers.run(pod, "env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 ping")
    assert "NOAUTH" in without.stdout + without.stderr
    with_password = containers.run(pod, 'env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 -a "$REDIS_PASSWORD" --no-auth-warning ping')
    assert with_password.stdout.strip() == "PONG"


def test_the_frontend_environment_holds_no_database_or_redis_credential(containers, cluster):
    secret = cluster.get("secret", "thebot-credentials")["data"]
    credentials = {key: base64.b64decode(value).decode() for key, value in secret.items()}
    pod = containers.pod("frontend")["metadata"]["name"]
    # What any process of the container is given (the spec's env and envFrom), not PID 1's: nginx wipes its own.
    environ = containers.run(pod, "cat /proc/self/environ").stdout.split("\0")
    names = {entry.split("=", 1)[0] for entry in environ if entry}
    assert "ENVIRONMENT" in names, f"the ConfigMap's variables, read; names seen: {sorted(names)}"
    assert not names & {"DATABASE_URL", "REDIS_URL", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "POSTGRES_USER"}
    for key in ("POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        assert not any(credentials[key] in entry for entry in environ), f"{key}'s value is in the frontend's environment"


def test_postgresql_reads_its_password_from_a_file_only_its_group_reads(containers, cluster):
    password = base64.b64decode(cluster.get("secret", "thebot-credentials")["data"]["POSTGRES_PASSWORD"]).decode()
    pod = containers.pod("postgresql")["metadata"]["name"]
    environ = containers.run(pod, "cat /proc/self/environ").stdout.split("\0")
    given = dict(entry.split("=", 1) for entry in environ if "=" in entry)
    assert "POSTGRES_PASSWORD" not in given and not any(password in entry for entry in environ)
    path = given["POSTGRES_PASSWORD_FILE"]
    # the file's mode, group and owner, and that PostgreSQL's user (the container's) reads it
    mode = containers.run(pod, f"stat -L -c '%a %g' {path}").stdout.split()
    assert mode == ["440", "70"], mode
    same = containers.run(pod, f"cat {path}").stdout == password  # compared here: pytest would print both
    assert same, "the file holds the Secret's password, readable by PostgreSQL's user"


def test_the_backend_health_endpoint_answers_through_its_service(containers, cluster, ingress_client):
    status, body = containers.http(ingress_client, backend_url(cluster, "/api/health/"), host=INGRESS_HOST,
                                   namespace="ingress-nginx")
    assert (status, body) == (200, {"status": "ok"})


def test_the_migration_tables_existed_before_the_backend_first_became_ready(cluster, containers):
    """PostgreSQL's own record of when the migration was applied, against the kubelet's of when the backend's
    probe first passed (whole seconds both: the pod's condition has no finer time)."""
    job = cluster.get("job", "thebot-migrations")
    assert job["status"].get("succeeded") == 1, job["status"]
    pod = containers.pod("backend")
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    became_ready = datetime.datetime.fromisoformat(ready["lastTransitionTime"].replace("Z", "+00:00"))
    info = containers.backend("/api/info/", pod["metadata"]["name"])[1]
    assert {"rows_row", "rows_tick"} <= set(info["tables"])
    assert info["migrations"] == ["rows.0001_initial"]
    applied = datetime.datetime.fromisoformat(info["applied"]["rows.0001_initial"]).replace(microsecond=0)
    assert applied <= became_ready, f"migration applied {applied}, backend Ready {became_ready}"


def test_a_row_written_through_the_backend_is_read_back(containers, cluster, ingress_client):
    url = backend_url(cluster, "/api/rows/")
    status, created = containers.http(ingress_client, url, {"text": "written by the dev test"}, host=INGRESS_HOST,
                                      namespace="ingress-nginx")
    assert status == 201
    rows = containers.http(ingress_client, url, host=INGRESS_HOST, namespace="ingress-nginx")[1]["rows"]
    assert {"id": created["id"], "text": "written by the dev test", "source": "backend"} in rows


def test_a_task_sent_by_the_backend_is_executed_by_the_worker(containers, cluster, ingress_client):
    status, sent = containers.http(ingress_client, backend_url(cluster, "/api/tasks/"), {"text": "via celery"},
                                   host=INGRESS_HOST, namespace="ingress-nginx")
    assert status == 202 and sent["task"]

    def written():
        rows = containers.http(ingress_client, backend_url(cluster, "/api/rows/"), host=INGRESS_HOST,
                               namespace="ingress-nginx")[1]["rows"]
        return [row for row in rows if row == {**row, "text": "via celery", "source": "celery"}]
    assert eventually(written, timeout=60), "the worker did not write the task's row within 60 s"


def test_the_beat_schedule_fires(containers, cluster):
    pod = containers.pod("backend")["metadata"]["name"]

    def ticks():
        return containers.backend("/api/info/", pod)[1]["ticks"]
    assert eventually(ticks, timeout=60) >= 1, "no beat tick reached the database within 60 s"
