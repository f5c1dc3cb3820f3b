"""An upgrade whose migration failed: rolled back atomically, the 1.0.0 objects untouched."""

import pytest

APPS = ("backend", "frontend", "celery", "celery-beat")


def test_the_failed_revision_was_rolled_back_to_the_first(cluster):
    history = cluster.history()
    assert [(r["revision"], r["status"]) for r in history] == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert history[2]["description"] == "Rollback to 1"
    assert cluster.values()["image"]["tag"] == "1.0.0", "the deployed values are revision 1's"


def test_the_migration_really_failed(cluster):
    """The job of revision 2 is kept (before-hook-creation) with its failed pods, for the operator to read."""
    job = cluster.get("job", "thebot-migrations")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.1")
    assert any(c["type"] == "Failed" and c["status"] == "True" for c in job["status"]["conditions"])


@pytest.mark.parametrize("component", APPS)
def test_the_workloads_of_revision_1_were_never_changed(cluster, component):
    """The migration is a pre-upgrade hook: it failed before helm touched a workload."""
    deployment = cluster.get("deployment", f"thebot-{component}")
    assert deployment["metadata"]["generation"] == 1, "the Deployment's spec was never modified"
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
    assert deployment["status"].get("readyReplicas") == deployment["spec"]["replicas"]
