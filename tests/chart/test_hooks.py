"""Hook jobs run in an order that works on a first install, on upgrades and on rollbacks."""

from helpers.chart import render


def _hook(obj):
    annotations = obj["metadata"].get("annotations", {})
    events = set(annotations.get("helm.sh/hook", "").split(",")) - {""}
    return events, int(annotations.get("helm.sh/hook-weight", "0"))


def test_config_and_secret_exist_before_the_jobs_read_them():
    rendered = render()
    config_events, config_weight = _hook(rendered.kind("ConfigMap")[0])
    secret_events, secret_weight = _hook(rendered.kind("Secret")[0])
    migrate_events, migrate_weight = _hook(rendered.get("Job", "migrations"))
    static_events, static_weight = _hook(rendered.get("Job", "collectstatic"))
    # First install: config and secret are pre-install hooks; the jobs run after install, when the
    # database (a release object) exists too.
    assert {"pre-install", "pre-upgrade", "pre-rollback"} <= config_events == secret_events
    assert "post-install" in migrate_events and "post-install" in static_events
    assert "pre-install" not in migrate_events, "the database does not exist before the first install"
    # Upgrade: the new config first, then migrations, before the new code rolls out; static files after.
    assert "pre-upgrade" in migrate_events and config_weight < migrate_weight and secret_weight < migrate_weight
    assert "post-upgrade" in static_events and "pre-upgrade" not in static_events
    assert migrate_weight < static_weight


def test_jobs_use_the_config_and_the_secret_and_keep_their_pods_for_debugging():
    rendered = render()
    for name in ("migrations", "collectstatic"):
        job = rendered.get("Job", name)
        assert job["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation"
        env_from = job["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        assert {"configMapRef", "secretRef"} == {key for entry in env_from for key in entry}
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    static = rendered.get("Job", "collectstatic")["spec"]["template"]["spec"]
    assert any(v.get("persistentVolumeClaim", {}).get("claimName", "").endswith("-static") for v in static["volumes"])


def test_pod_labels_of_one_job_stay_on_that_job():
    rendered = render({"migrations": {"podLabels": {"sidecar.istio.io/inject": "false"}}})
    labels = rendered.get("Job", "migrations")["spec"]["template"]["metadata"]["labels"]
    assert labels["sidecar.istio.io/inject"] == "false"
    assert labels["app.kubernetes.io/component"] == "migrations", "the chart's own labels are kept"
    others = [o for o in rendered if o["kind"] in ("Job", "Deployment", "StatefulSet")
              and o["metadata"]["labels"]["app.kubernetes.io/component"] != "migrations"]
    assert others and all("sidecar.istio.io/inject" not in o["spec"]["template"]["metadata"]["labels"] for o in others)


def test_data_volumes_survive_uninstall():
    rendered = render()
    for claim in rendered.kind("PersistentVolumeClaim"):
        assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    for statefulset in rendered.kind("StatefulSet"):
        assert statefulset["spec"]["volumeClaimTemplates"], "StatefulSet PVCs are never deleted by helm"


def test_the_migration_waits_for_the_database_by_its_address_alone():
    """On a first install the job starts with the release's PostgreSQL: it waits for it (a python socket loop
    in the backend image), reading the ConfigMap's host and port, with no credential."""
    spec = render().get("Job", "migrations")["spec"]["template"]["spec"]
    [wait] = spec["initContainers"]
    assert wait["name"] == "wait-for-database" and wait["image"] == spec["containers"][0]["image"]
    assert [list(entry) for entry in wait["envFrom"]] == [["configMapRef"]]
    assert 'os.environ["DATABASE_HOST"]' in wait["args"][2] and 'os.environ["DATABASE_PORT"]' in wait["args"][2]
    assert wait["securityContext"] == spec["containers"][0]["securityContext"]
    spec = render({"migrations": {"waitForDatabase": False}}).get("Job", "migrations")["spec"]["template"]["spec"]
    assert "initContainers" not in spec
    assert "initContainers" not in render().get("Job", "collectstatic")["spec"]["template"]["spec"]
