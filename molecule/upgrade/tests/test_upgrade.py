"""staging upgraded from 1.0.0 to 1.0.1: one more revision, a real rollout, the migrations run again."""

import pytest

APPS = ("backend", "frontend", "celery", "celery-beat")


def test_the_upgrade_is_revision_2_and_its_rerun_added_none(cluster):
    history = cluster.history()
    assert [(r["revision"], r["status"]) for r in history] == [(1, "superseded"), (2, "deployed")]
    assert cluster.values()["image"]["tag"] == "1.0.1"


@pytest.mark.parametrize("component", APPS)
def test_each_app_rolled_out_the_new_image(cluster, component):
    deployment = cluster.get("deployment", f"thebot-{component}")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.1")
    # A second ReplicaSet: the Deployment controller really rolled the pods over, and finished.
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    status, replicas = deployment["status"], deployment["spec"]["replicas"]
    assert deployment["status"]["observedGeneration"] == deployment["metadata"]["generation"]
    assert status.get("updatedReplicas") == status.get("readyReplicas") == replicas, status
    sets = cluster.items("replicaset", f"app.kubernetes.io/component={component}")
    old = [s for s in sets if s["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")]
    assert len(sets) == 2 and old and old[0]["spec"]["replicas"] == 0, "the 1.0.0 pods were scaled away"


def test_staging_values_two_replicas_and_autoscaling_two_to_four(cluster):
    assert cluster.get("deployment", "thebot-backend")["spec"]["replicas"] == 2
    hpa = cluster.get("horizontalpodautoscaler", "thebot-backend")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4)


def test_the_migration_hook_ran_again_for_the_new_release(cluster):
    """before-hook-creation replaced the 1.0.0 job: the one there is the upgrade's, on the new image."""
    job = cluster.get("job", "thebot-migrations")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.1")
    assert job["status"].get("succeeded") == 1
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"


def test_the_new_migration_ran_against_the_database(containers):
    """kind: 1.0.1's migration (tests/images/backend-1.0.1) created its table before the new pods rolled out."""
    info = containers.backend("/api/info/")[1]
    assert info["migrations"] == ["rows.0001_initial", "rows.0002_note"]
    assert "rows_note" in info["tables"]
