"""After backups, an upgrade whose migration rewrote the rows, a rollback and restores (converge): the data is the
backup's, served by the apps; the release on a second cluster got the backup with its own migration applied on top;
the volume keeps the retention's newest backup, readable by their owner only; no credential in any backup's metadata
or name.
"""

import base64
import json
import stat
import uuid

import pytest
from conftest import Cluster, Containers


@pytest.fixture(scope="module")
def names(ephemeral, containers):  # containers: kind only, as converge (kwok runs no container)
    return json.loads((ephemeral / "backups.json").read_text())


@pytest.fixture(scope="module")
def second(cluster, ephemeral, names):  # names: kind only (converge started the second cluster on kind)
    """dev's release on the second cluster converge started, with its running containers."""
    record = json.loads((ephemeral / "second-cluster.yml").read_text())
    return Containers(Cluster(cluster.host, record, cluster.namespace), record)


def rows(containers):
    status, body = containers.backend("/api/rows/")
    assert status == 200, body
    return [(row["text"], row["source"]) for row in body["rows"]]


def python_json(containers, pod, code):
    """What Python code run in the pod printed, as JSON."""
    result = containers.python(pod, code)
    assert result.rc == 0, result.stderr
    return json.loads(result.stdout)


def media(containers):
    """Every file of the backend's media volume: path -> content."""
    code = ("import json, os\n"
            "found = {}\n"
            "for folder, _dirs, files in os.walk('/app/media'):\n"
            "    for name in files:\n"
            "        path = os.path.join(folder, name)\n"
            "        found[os.path.relpath(path, '/app/media')] = open(path).read()\n"
            "print(json.dumps(found))\n")
    return python_json(containers, containers.pod("backend")["metadata"]["name"], code)


def test_the_restore_put_back_the_rows_the_migration_had_rewritten(containers):
    assert rows(containers) == [("first row", "backend"), ("second row", "backend")]


def test_the_restore_put_back_the_media_as_they_were_at_the_backup(containers):
    assert media(containers) == {"notes/first.txt": "media at 1.0.0"}


def test_the_release_runs_the_rolled_back_version_with_every_writer_back(cluster, containers):  # kind only
    history = cluster.history()
    assert [r["app_version"] for r in history][-1] == "1.0.0" and "Rollback to 1" in history[-1]["description"]
    for deployment in cluster.items("deployment"):
        status = deployment["status"]
        assert status.get("readyReplicas") == deployment["spec"]["replicas"] >= 1, deployment["metadata"]["name"]


def test_the_second_cluster_is_another_api_server_with_nodes_of_its_own(cluster, second):
    nodes = {n["metadata"]["name"] for n in json.loads(cluster.kubectl("get", "nodes", "-o", "json"))["items"]}
    second_nodes = {n["metadata"]["name"]
                    for n in json.loads(second.cluster.kubectl("get", "nodes", "-o", "json"))["items"]}
    assert second_nodes and not nodes & second_nodes, (nodes, second_nodes)
    assert second.pod("backend")["spec"]["nodeName"] in second_nodes


def test_the_release_on_the_second_cluster_got_the_backup_and_ran_its_own_newer_migration_on_it(second):
    """Restored at 1.0.2 from a 1.0.0 backup: the release's migration Job ran again and rewrote the rows."""
    assert rows(second) == [("FIRST ROW", "1.0.2"), ("SECOND ROW", "1.0.2")]
    assert media(second) == {"notes/first.txt": "media at 1.0.0"}
    status, info = second.backend("/api/info/")
    assert status == 200 and "rows.0003_rewrite" in info["migrations"], info


def test_the_volume_keeps_the_newest_backups_readable_by_their_owner_only(cluster, containers, names):
    """A reader pod mounts the backups' claim: only the newest remains (retention 1), complete."""
    name = f"reader-{uuid.uuid4().hex[:6]}"
    context = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True,
               "runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000,
               "seccompProfile": {"type": "RuntimeDefault"}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": cluster.namespace},
           "spec": {"containers": [{"name": "reader", "image": "localhost/thebot-fixture/backend:1.0.0",
                                    "imagePullPolicy": "Never", "command": ["sleep", "infinity"],
                                    "securityContext": context,
                                    "volumeMounts": [{"name": "backups", "mountPath": "/backups", "readOnly": True}]}],
                    "securityContext": {"fsGroup": 1000},
                    "volumes": [{"name": "backups", "persistentVolumeClaim": {"claimName": "thebot-backups",
                                                                              "readOnly": True}}],
                    "terminationGracePeriodSeconds": 0}}
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(pod))
    try:
        cluster.kubectl("wait", "-n", cluster.namespace, "--for=condition=Ready", f"pod/{name}", "--timeout=120s")
        code = ("import json, os\n"
                "print(json.dumps({entry: {'mode': os.stat('/backups/' + entry).st_mode,\n"
                "    'files': {f: os.stat('/backups/' + entry + '/' + f).st_mode\n"
                "              for f in os.listdir('/backups/' + entry)}}\n"
                "    for entry in os.listdir('/backups')}))\n")
        listing = python_json(containers, name, code)
    finally:
        cluster.kubectl("delete", "pod", name, "-n", cluster.namespace, "--wait=false")
    assert set(listing) == {names["last"]}, f"retention 1: {names['before_migration']} was to be deleted: {listing}"
    for entry, found in listing.items():
        assert set(found["files"]) == {"database.pgdump", "media.tar.gz", "backup.json"}, entry
        assert stat.S_IMODE(found["mode"]) == 0o700, entry
        assert all(stat.S_IMODE(mode) == 0o600 for mode in found["files"].values()), found


def test_the_controller_copy_is_its_owners_only_and_holds_what_its_metadata_says(ephemeral, names):
    folder = ephemeral / "backups" / names["on_controller"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.name for p in folder.iterdir()} == {"database.pgdump", "media.tar.gz", "backup.json"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    metadata = json.loads((folder / "backup.json").read_text())
    assert {k: metadata[k] for k in ("name", "release", "environment", "revision", "app_version")} == {
        "name": names["on_controller"], "release": "thebot", "environment": "dev", "revision": 1,
        "app_version": "1.0.0"}
    assert metadata["files"]["media.tar.gz"]["bytes"] == (folder / "media.tar.gz").stat().st_size


def test_no_credential_in_any_backups_metadata_or_name(cluster, ephemeral, names):
    secret = cluster.get("secret", "thebot-credentials")["data"]
    credentials = [base64.b64decode(value).decode() for key, value in secret.items()
                   if key != "POSTGRES_USER" and value]
    assert len(credentials) >= 3
    folder = ephemeral / "backups" / names["on_controller"]
    written = (folder / "backup.json").read_text() + " ".join(names.values()) + " ".join(
        p.name for p in folder.iterdir())
    assert not [c for c in credentials if c in written]
