"""Rollback, status, uninstall (data kept, purge confirmed), validate, and two clusters in one environment."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import testbed
from helpers.deploy import recap, revisions

pytestmark = pytest.mark.cluster


def image(kube, namespace):
    deployment = kube.get("deployment", "thebot-backend", "-n", namespace)
    return deployment["spec"]["template"]["spec"]["containers"][0]["image"].rsplit(":", 1)[1]


def test_rollback_to_the_previous_and_to_a_given_revision(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    assert deploy("-e", "thebot_image_tag=1.0.1", namespace=ns).returncode == 0
    assert image(kube, ns) == "1.0.1" and len(revisions(kube, ns)) == 2
    back = deploy(playbook="rollback.yml", namespace=ns)
    assert back.returncode == 0, back.output[-3000:]
    assert image(kube, ns) == "1.0.0" and revisions(kube, ns)[-1]["revision"] == 3
    assert "Rollback to 1" in revisions(kube, ns)[-1]["description"]
    forward = deploy("-e", "thebot_rollback_revision=2", playbook="rollback.yml", namespace=ns)
    assert forward.returncode == 0 and image(kube, ns) == "1.0.1"
    status = deploy(playbook="status.yml", namespace=ns)
    assert status.returncode == 0 and "revision 4, deployed" in status.stdout, status.output[-3000:]
    assert recap(status)["changed"] == 0


def test_a_purge_needs_the_namespace_confirmed_then_removes_the_data(kube, deploy):
    # An uninstall without a purge keeping the claims and the Secret, and a reinstall reusing them with the
    # data in them, is molecule's uninstall scenario, with real containers.
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    assert len(kube.get("pvc", "-n", ns)["items"]) == 4

    unconfirmed = deploy("-e", "thebot_purge_data=true", playbook="uninstall.yml", namespace=ns)
    assert unconfirmed.returncode == 2 and f"confirm with -e thebot_purge_confirm={ns}" in unconfirmed.output
    assert kube.helm("status", "thebot", "-n", ns, check=False).returncode == 0, "nothing was touched"
    purged = deploy("-e", "thebot_purge_data=true", "-e", f"thebot_purge_confirm={ns}", playbook="uninstall.yml",
                    namespace=ns)
    assert purged.returncode == 0, purged.output[-3000:]
    assert kube.helm("status", "thebot", "-n", ns, check=False).returncode != 0, "the release is gone"
    assert not kube.get("pvc", "-n", ns)["items"] or all(
        c["metadata"].get("deletionTimestamp") for c in kube.get("pvc", "-n", ns)["items"])
    assert kube.kubectl("get", "secret", "thebot-credentials", "-n", ns, check=False).returncode != 0


def test_rollback_and_uninstall_refuse_bad_settings_before_any_write_and_uninstall_waits_as_told(kube, deploy):
    """They deploy no values, so the values do not refuse them, but their own settings do: before the lock, the
    prerequisites or any helm call, naming each variable. An uninstall waits thebot_helm_timeout, as a deploy does
    (kubernetes.core.helm passes only wait_timeout to helm uninstall)."""
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    assert deploy("-e", "thebot_image_tag=1.0.1", namespace=ns).returncode == 0
    for playbook in ("rollback.yml", "uninstall.yml"):
        refused = deploy("-e", "thebot_helm_timeout=10", "-e", "thebot_release_name=Thebot", playbook=playbook,
                         namespace=ns)
        assert refused.returncode == 2, refused.output[-3000:]
        assert "2 problem(s) in the run's settings, nothing was sent to the cluster" in refused.flat
        assert "thebot_helm_timeout: \"10\" is not a duration" in refused.flat
        assert "thebot_release_name: \"Thebot\" is not a valid name" in refused.flat
        assert "TASK [thebot.platform.prerequisites : " not in refused.stdout
        assert "TASK [thebot.platform.lock : " not in refused.stdout
    assert [r["status"] for r in revisions(kube, ns)] == ["superseded", "deployed"], "nothing was touched"

    gone = deploy("-v", "-e", "thebot_helm_timeout=7m13s", playbook="uninstall.yml", namespace=ns)
    assert gone.returncode == 0, gone.output[-3000:]
    assert "helm uninstall  --wait --timeout 7m13s thebot" in gone.stdout
    assert kube.helm("status", "thebot", "-n", ns, check=False).returncode != 0, "the release is gone"


@pytest.mark.parametrize("env,code", [("dev", 0), ("staging", 0), ("prod", 2)])
def test_validate_playbook_is_offline(deploy, env, code, tmp_path):
    result = deploy("-e", "thebot_image_tag=1.2.3", "-e", f"thebot_kubeconfig={tmp_path / 'none'}",
                    env=env, playbook="validate.yml")
    assert result.returncode == code, result.output[-3000:]
    if env == "prod":
        assert "looks like an example" in result.output


def test_validate_playbook_checks_the_charts_rules_too(deploy, tmp_path):
    """Offline still: the chart's rules across fields, by rendering it, as deploy.yml does before any write."""
    over = {"thebot_cluster_chart_values": {"celery": {"resources": {"requests": {"memory": "2Gi"},
                                                                     "limits": {"memory": "1Gi"}}}}}
    (tmp_path / "over.yml").write_text(yaml.safe_dump(over))
    result = deploy("-e", f"@{tmp_path / 'over.yml'}", "-e", f"thebot_kubeconfig={tmp_path / 'none'}",
                    playbook="validate.yml")
    assert result.returncode == 2, result.output[-3000:]
    assert "celery.resources.requests.memory: the memory request 2Gi is above its limit 1Gi" in result.flat


@pytest.fixture
def second_cluster():
    cli = [sys.executable, str(Path(testbed.__file__))]
    up = subprocess.run([*cli, "up", "--name", "thebot-second"], capture_output=True, text=True, check=False)
    assert up.returncode == 0, up.stderr
    yield up.stdout.strip()
    subprocess.run([*cli, "down", "--name", "thebot-second"], capture_output=True, check=False)


def test_two_clusters_of_one_environment(kube, deploy, cluster_name, second_cluster, tmp_path):
    hosts = {"dev": {"hosts": {
        "first": {"thebot_kubeconfig": str(kube.kubeconfig), "thebot_context": f"testbed-{cluster_name}"},
        "second": {"thebot_kubeconfig": second_cluster, "thebot_context": "testbed-thebot-second"}}}}
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (inventory / "group_vars" / "dev").symlink_to(Path(__file__).resolve().parents[3] / "inventories/dev/group_vars/dev")
    second_kube = ["--kubeconfig", second_cluster]

    def has_release(kubeconfig_args, namespace):
        return subprocess.run([testbed.binary("helm"), "status", "thebot", "-n", namespace, *kubeconfig_args],
                              capture_output=True, check=False).returncode == 0

    both = deploy(inventory=inventory, namespace="two-clusters")
    assert both.returncode == 0, both.output[-3000:]
    assert has_release(["--kubeconfig", str(kube.kubeconfig)], "two-clusters") and has_release(second_kube, "two-clusters")

    # One at a time, the first failing (its API unreachable): the second is never touched.
    hosts["dev"]["hosts"]["first"]["thebot_kubeconfig"] = str(tmp_path / "missing-kubeconfig")
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    stopped = deploy("-e", "thebot_serial=1", inventory=inventory, namespace="one-at-a-time")
    assert stopped.returncode == 2, stopped.output[-3000:]
    assert "Cannot reach the Kubernetes API of first" in stopped.output
    assert not has_release(second_kube, "one-at-a-time"), "the rollout stopped at the first failure"
