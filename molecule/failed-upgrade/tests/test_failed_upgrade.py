"""An upgrade whose migration failed: rolled back atomically, the 1.0.0 objects untouched; on kind, the
migration really ran and failed, its transaction left nothing, and the old pods served throughout."""

import datetime

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
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith((":1.0.1", ":1.0.1-broken"))
    assert any(c["type"] == "Failed" and c["status"] == "True" for c in job["status"]["conditions"])


@pytest.mark.parametrize("component", APPS)
def test_the_workloads_of_revision_1_were_never_changed(cluster, component):
    """The migration is a pre-upgrade hook: it failed before helm touched a workload."""
    deployment = cluster.get("deployment", f"thebot-{component}")
    assert deployment["metadata"]["generation"] == 1, "the Deployment's spec was never modified"
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
    assert deployment["status"].get("readyReplicas") == deployment["spec"]["replicas"]


def test_the_migration_ran_and_its_error_is_in_the_job_log(containers, cluster):
    log = cluster.kubectl("logs", "-n", cluster.namespace, "job/thebot-migrations", "-c", "migrations")
    assert "Applying rows.0002_fails" in log
    assert "RuntimeError: fixture: this migration fails on purpose" in log


def test_the_failed_migration_left_nothing_in_the_database(containers):
    """Its table was created, then the migration raised: PostgreSQL rolled both back together."""
    info = containers.backend("/api/info/")[1]
    assert info["migrations"] == ["rows.0001_initial"]
    assert "rows_broken" not in info["tables"]


def test_the_old_pods_served_the_row_throughout(cluster, containers):  # containers: kind only (the reader runs)
    """prepare.yml started a reader (ingress-nginx/row-reader) before the upgrade: every read, from before
    the failed revision started until after the rollback, found the row."""
    reads = [line.split(maxsplit=2) for line in
             cluster.kubectl("logs", "-n", "ingress-nginx", "row-reader").splitlines() if line.strip()]
    history = {r["revision"]: r for r in cluster.history()}

    def seconds(stamp: str) -> datetime.datetime:  # helm's and the reader's times, to the second, UTC
        return datetime.datetime.fromisoformat(stamp[:19])
    failed, rolled_back = seconds(history[2]["updated"]), seconds(history[3]["updated"])
    times = [seconds(read[0]) for read in reads]
    assert times[0] < failed and times[-1] > rolled_back, (times[0], failed, rolled_back, times[-1])
    failures = [" ".join(read) for read in reads if read[1] != "ok"]
    assert not failures, f"{len(failures)} of {len(reads)} reads failed, first: {failures[:3]}"
