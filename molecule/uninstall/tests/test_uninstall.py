"""After uninstall and reinstall: a new release on the same claims, volumes and credentials."""

import hashlib
import json


def before(ephemeral):
    """Recorded by prepare.yml from the API server, before the uninstall."""
    return json.loads((ephemeral / "uninstall-before.json").read_text())


def test_the_reinstall_is_a_new_release(cluster):
    """An upgrade of a kept release would be revision 2: the uninstall really removed it."""
    assert [(r["revision"], r["status"]) for r in cluster.history()] == [(1, "deployed")]


def test_the_claims_are_the_same_objects_on_the_same_volumes(cluster, ephemeral):
    recorded = before(ephemeral)
    claims = {c["metadata"]["name"]: c for c in cluster.items("persistentvolumeclaim")}
    assert {name: c["metadata"]["uid"] for name, c in claims.items()} == recorded["claims"]
    assert {name: c["spec"]["volumeName"] for name, c in claims.items()} == recorded["volumes"]
    assert len(recorded["claims"]) == 4, "postgresql, redis, static and media"


def test_the_database_pod_mounts_the_kept_claim(cluster, ephemeral):
    pod = cluster.get("pod", "thebot-postgresql-0")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
    assert claims == ["data-thebot-postgresql-0"] and "data-thebot-postgresql-0" in before(ephemeral)["claims"]


def test_the_credentials_are_the_same_secret_with_the_same_values(cluster, ephemeral):
    secret = cluster.get("secret", "thebot-credentials")
    recorded = before(ephemeral)["credentials"]
    assert secret["metadata"]["uid"] == recorded["uid"]
    assert hashlib.sha256(json.dumps(secret["data"], sort_keys=True).encode()).hexdigest() == recorded["digest"]


def test_the_row_written_at_revision_1_survived_upgrade_rollback_uninstall_and_reinstall(containers):
    """prepare.yml wrote it, then upgraded, rolled back and (converge) uninstalled; the reinstalled backend
    reads it with the kept credentials, on the kept volume."""
    backend = containers.pod("backend")["metadata"]["name"]
    status, body = containers.backend("/api/rows/", backend)
    assert status == 200
    assert [row["text"] for row in body["rows"]].count("written at revision 1") == 1
    info = containers.backend("/api/info/", backend)[1]
    assert info["migrations"] == ["rows.0001_initial", "rows.0002_note"], "the upgrade's migration is kept"
