"""drift.yml: which clusters differ from the inventory, and how, without deploying (issue: operators' view).

Each test deploys as an operator does, changes the cluster or the inventory the way operators do (kubectl scale,
kubectl patch, kubectl delete, a new image tag not yet deployed), then runs drift.yml. "Writes nothing" is read
from the kube-apiserver's audit log. kwok plays the kubelet: the pods run no container, which drift never looks
at (it compares objects, not processes).
"""

import datetime
import json

import pytest

import testbed
from helpers.deploy import ROOT, vault_secrets
from helpers.tasks import run_module, run_task

pytestmark = pytest.mark.cluster


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def writes(cluster_name, since):
    return [f"{w['verb']} {w['objectRef'].get('resource')}/{w['objectRef'].get('name')} by {w['userAgent']}"
            for w in testbed.Cluster(cluster_name).writes(since)]


def drift(deploy, report, *args, **kw):
    """drift.yml as an operator runs it: no vault password (it reads no credential of the vault)."""
    result = deploy("-e", f"thebot_drift_report={report}", *args, playbook="drift.yml", vault=False, **kw)
    result.report = json.loads(report.read_text()) if report.exists() else None
    return result


def field(changes, obj, path):
    found = [f for c in changes if c["object"] == obj for f in c["fields"] if f["path"] == path]
    assert found, f"no change of {obj} {path} in {json.dumps(changes)[:3000]}"
    return found[0]


def test_in_sync_then_hand_changes_and_an_undeployed_tag_each_reported_and_nothing_written(
        kube, deploy, cluster_name, tmp_path):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace

    since = now()
    in_sync = drift(deploy, tmp_path / "in-sync.json", namespace=ns)
    checked = drift(deploy, tmp_path / "checked.json", "--check", namespace=ns)
    assert writes(cluster_name, since) == []
    for result in (in_sync, checked):
        assert result.returncode == 0, result.output[-3000:]
        assert "local: in sync at revision 1 (1.0.0)" in result.flat
        assert result.report["in_sync"] is True and result.report["clusters"]["local"]["state"] == "in-sync"

    # What operators do by hand, then an inventory change not yet deployed.
    kube.kubectl("-n", ns, "scale", "deployment/thebot-celery", "--replicas=3")
    kube.kubectl("-n", ns, "patch", "configmap", "thebot", "--type", "merge", "-p",
                 json.dumps({"data": {"ALLOWED_HOSTS": "edited.example"}}))
    kube.kubectl("-n", ns, "delete", "networkpolicy", "thebot-np-redis")
    since = now()
    drifted = drift(deploy, tmp_path / "drifted.json", "-e", "thebot_image_tag=1.0.3", namespace=ns)
    assert writes(cluster_name, since) == []
    assert drifted.returncode == 2, drifted.output[-3000:]
    assert "local: drifted at revision 1 (1.0.0)" in drifted.flat
    cluster = drifted.report["clusters"]["local"]
    assert drifted.report["in_sync"] is False and cluster["state"] == "drifted"
    # By hand: each object, field, value and who.
    assert field(cluster["live"], "Deployment/thebot-celery", "spec.replicas") == {
        "path": "spec.replicas", "release": 1, "live": 3}
    assert field(cluster["live"], "ConfigMap/thebot", "data.ALLOWED_HOSTS")["live"] == "edited.example"
    by = {c["object"]: c for c in cluster["live"]}
    assert by["Deployment/thebot-celery"]["by"] == ["kubectl"] and by["ConfigMap/thebot"]["by"] == ["kubectl-patch"]
    assert by["NetworkPolicy/thebot-np-redis"]["change"] == "missing"
    assert set(by) == {"Deployment/thebot-celery", "ConfigMap/thebot", "NetworkPolicy/thebot-np-redis"}
    # From the inventory: the new tag, in every app's image, and nothing about the hand changes.
    for app in ("backend", "celery", "celery-beat", "frontend"):
        image = field(cluster["inventory"], f"Deployment/thebot-{app}", "spec.template.spec.containers[0].image")
        assert image["release"].endswith(":1.0.0") and image["inventory"].endswith(":1.0.3"), image
    assert not [f for c in cluster["inventory"] for f in c["fields"] if f["path"] == "spec.replicas"]

    assert "deploy.yml -e thebot_restore_hand_changes=true puts back what was changed by hand" in drifted.flat

    # A deploy whose render equals the release puts the hand changes back only when asked (helm-diff three-way).
    restored = deploy("-e", "thebot_restore_hand_changes=true", namespace=ns)
    assert restored.returncode == 0, restored.output[-3000:]
    again = drift(deploy, tmp_path / "restored.json", namespace=ns)
    assert again.returncode == 0 and "local: in sync at revision 2 (1.0.0)" in again.flat, again.output[-3000:]

    # The credentials Secret edited by hand: named, never shown; the pods would roll (their checksum annotation).
    kube.kubectl("-n", ns, "patch", "secret", "thebot-credentials", "--type", "merge", "-p",
                 json.dumps({"stringData": {"SECRET_KEY": "edited-by-hand-" + "x" * 40}}))
    edited = drift(deploy, tmp_path / "edited.json", namespace=ns)
    assert edited.returncode == 2 and "Secret/thebot-credentials data" in edited.flat, edited.output[-3000:]
    assert "edited-by-hand" not in edited.output + json.dumps(edited.report)
    assert field(edited.report["clusters"]["local"]["inventory"], "Deployment/thebot-backend",
                 'spec.template.metadata.annotations["checksum/secret"]')

    # The credentials Secret deleted: reported missing, by name only.
    kube.kubectl("-n", ns, "delete", "secret", "thebot-credentials")
    lost = drift(deploy, tmp_path / "lost.json", namespace=ns)
    assert lost.returncode == 2 and "Secret/thebot-credentials missing" in lost.flat, lost.output[-3000:]

    credentials = [v for v in vault_secrets("dev").values() if len(str(v)) >= 8]
    for result in (in_sync, checked, drifted, again, edited, lost):
        text = result.output + json.dumps(result.report)
        assert not [c for c in credentials if str(c) in text]


def test_several_clusters_at_once_each_reported_the_unreachable_one_included(kube, deploy, cluster_name, tmp_path):
    installed, locked = deploy(), deploy()
    assert installed.returncode == 0 and locked.returncode == 0, installed.output[-3000:] + locked.output[-3000:]
    # A deploy running elsewhere holds the lock of the second release.
    taken, output = run_task("release_lock", {"kubeconfig": str(kube.kubeconfig), "name": "thebot-deploy-lock",
                                              "namespace": locked.namespace, "holder": "ops@elsewhere pid 7 started 1 a"})
    assert taken["taken"], output[-3000:]
    stuck = f"drift-stuck-{installed.namespace}"
    missing = f"drift-missing-{installed.namespace}"
    # A release whose only revision failed (helm records it failed when the API refuses one of its objects).
    chart = tmp_path / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (chart / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Valid_Name\n")
    kube.kubectl("create", "namespace", stuck)
    try:
        assert kube.helm("install", "thebot", str(chart), "-n", stuck, check=False).returncode != 0
        unreachable = tmp_path / "unreachable.kubeconfig"
        unreachable.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "gone",
            "clusters": [{"name": "gone", "cluster": {"server": "https://127.0.0.1:9"}}],
            "users": [{"name": "gone", "user": {"token": "none"}}],
            "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "gone"}}]}))
        here = {"thebot_kubeconfig": str(kube.kubeconfig), "thebot_context": f"testbed-{cluster_name}"}
        inventory = tmp_path / "inventory"
        inventory.mkdir()
        (inventory / "group_vars").symlink_to(ROOT / "inventories" / "dev" / "group_vars")
        (inventory / "hosts.yml").write_text(json.dumps({"dev": {"hosts": {
            "installed": dict(here, thebot_namespace=installed.namespace),
            "missing": dict(here, thebot_namespace=missing),
            "locked": dict(here, thebot_namespace=locked.namespace),
            "stuck": dict(here, thebot_namespace=stuck),
            "gone": {"thebot_kubeconfig": str(unreachable), "thebot_context": "gone",
                     "thebot_namespace": installed.namespace}}}}))
        since = now()
        result = drift(deploy, tmp_path / "all.json", inventory=inventory / "hosts.yml", namespace=False)
        assert writes(cluster_name, since) == []
    finally:
        kube.kubectl("delete", "namespace", stuck, "--wait=false", check=False)
    assert result.returncode == 2, result.output[-3000:]
    flat = result.flat
    assert "installed: in sync at revision 1" in flat
    assert "missing: not installed" in flat
    assert "locked: locked: held by ops@elsewhere pid 7 started 1 a since" in flat
    assert "stuck: stuck: revision 1 is failed" in flat
    assert "gone: unreachable: Cannot reach the Kubernetes API of gone" in flat
    states = {host: cluster["state"] for host, cluster in result.report["clusters"].items()}
    assert states == {"installed": "in-sync", "missing": "not-installed", "locked": "locked", "stuck": "stuck",
                      "gone": "unreachable"}


def test_the_action_answers_as_the_module_does_from_ansible_playbooks_process(kube, deploy, tmp_path):
    """release_drift's action plugin (what drift.yml runs) and its module, as a host would run it, on one release
    changed by hand: the same answer, and no module shipped for the action."""
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    kube.kubectl("-n", first.namespace, "scale", "deployment/thebot-frontend", "--replicas=2")
    args = {"kubeconfig": str(kube.kubeconfig), "release_name": "thebot", "release_namespace": first.namespace,
            "chart_path": str(ROOT / "charts" / "thebot"), "secret_name": "thebot-credentials",
            "lock_name": "thebot-deploy-lock", "helm_binary": str(testbed.binary("helm")),
            "helm_plugins": str(testbed.HOME / "helm-plugins"),
            "release_values": {"image": {"tag": "1.0.0"}, "secrets": {"existingSecret": "thebot-credentials"}}}
    action, output = run_task("release_drift", args, "-vvv")
    module = run_module("release_drift", args, tmp_path)
    assert action["state"] == "drifted", output[-3000:]
    assert [(c["object"], c["fields"]) for c in action["live"]] == [
        ("Deployment/thebot-frontend", [{"path": "spec.replicas", "release": 1, "live": 2}])]
    for key in ("state", "summary", "inventory", "live", "release"):
        assert action[key] == module[key], key
    assert "AnsiballZ" not in output, output[-3000:]
