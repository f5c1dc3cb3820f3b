"""Faults on the test bed, each made for real: processes killed, hooks failing, deploys racing.

kwok plays the kubelet: containers never run. An unfinished rollout is a pod no node can take. The cluster
is this package's own. A failing migration is proven where it really runs and fails: molecule's failed-upgrade
scenario, on kind.
"""

import datetime
import json
import os
import re
import signal
import time
import warnings

import pytest

import testbed
from helpers.deploy import recap, revisions

pytestmark = pytest.mark.cluster

UNSCHEDULABLE = json.dumps({"thebot_cluster_chart_values": {"backend": {"nodeSelector": {"nowhere": "true"}}}})


def statuses(kube, namespace):
    return [r["status"] for r in revisions(kube, namespace)]


def backend(kube, namespace):
    return kube.get("deployment", "thebot-backend", "-n", namespace)


def report_repairs(restarted):
    """The test bed's own repairs after a fault (testbed.Cluster.recover), shown in the run's summary: what the
    product is tested on must be a working cluster, and a repair of kwok is never silent."""
    for note in restarted:
        warnings.warn(f"test bed repaired after the fault: restarted {note}", testbed.BedRepaired)


@pytest.fixture(autouse=True)
def working_cluster(kube, cluster_name):  # pylint: disable=unused-argument
    """Each test starts on a cluster that runs pods, whatever the test before it did to it."""
    report_repairs(testbed.Cluster(cluster_name).recover())


def wait_for(what, check, timeout=300):  # a stuck test's bound, not a speed: runs start slowly under load
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} not within {timeout} s"
        time.sleep(0.5)


def test_kube_apiserver_killed_mid_upgrade_then_the_next_run_converges(kube, deploy, cluster_name):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    # An upgrade whose rollout cannot finish (no node takes the new backend pod), killed while pending. helm
    # keeps waiting for its timeout with no API server; 40 s covers the wait below, and the lock (30 s) has
    # expired by the time the run ends.
    upgrade = deploy.background("-e", "thebot_image_tag=1.0.3", "-e", UNSCHEDULABLE, "-e", "thebot_lock_duration=30",
                                "-e", "thebot_helm_timeout=40s", namespace=ns)
    wait_for("the upgrade's pending revision", lambda: statuses(kube, ns)[-1] == "pending-upgrade")
    wait_for("the new backend spec", lambda: "nodeSelector" in json.dumps(backend(kube, ns)["spec"]))
    bed = testbed.Cluster(cluster_name)
    bed.stop("kube-apiserver", kill=True)
    try:
        interrupted = upgrade.finish()
    finally:
        bed.up()  # kube-apiserver again, on the same port and data
    assert interrupted.returncode == 2, interrupted.output[-3000:]
    assert "release was not rolled back (the next deploy undoes the interrupted revision)" in interrupted.flat, \
        interrupted.output[-3000:]
    assert statuses(kube, ns) == ["deployed", "pending-upgrade"], "the fault really left the release pending"
    report_repairs(bed.recover())
    # The dead run's lock expires (30 s); the next run waits for it, undoes the revision, deploys.
    after = deploy("-e", "thebot_image_tag=1.0.3", "-e", "thebot_lock_wait=120", namespace=ns)
    assert after.returncode == 0, after.output[-4000:]
    assert "that run did not finish; this run takes it over" in after.flat
    history = revisions(kube, ns)
    assert [r["status"] for r in history] == ["superseded", "failed", "superseded", "deployed"], history
    assert history[1]["description"].startswith("Interrupted while pending-upgrade")
    assert history[2]["description"] == "Rollback to 1"
    spec = backend(kube, ns)["spec"]["template"]["spec"]
    assert "nodeSelector" not in spec, "what the interrupted revision applied is undone"
    assert spec["containers"][0]["image"].endswith(":1.0.3")
    again = deploy("-e", "thebot_image_tag=1.0.3", namespace=ns)
    assert again.returncode == 0 and recap(again)["changed"] == 0, "converged: a further run changes nothing"


def test_two_deploys_at_once_one_proceeds_the_other_fails_clearly_or_waits(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    lease = ["lease", "thebot-deploy-lock", "-n", ns]
    # The first deploy's backend can start only once the test opens a gate (a node label): until then it holds the
    # lock for certain, however slow the machine (on a loaded one it could otherwise finish before the second run
    # reached its lock, and the second then rightly proceeded).
    gate = f"gate-{ns}"
    gated = json.dumps({"thebot_cluster_chart_values": {"backend": {"nodeSelector": {gate: "open"}}}})
    try:
        one = deploy.background("-e", "thebot_image_tag=1.0.1", "-e", gated, namespace=ns)
        wait_for("the first deploy's lock", lambda: kube.kubectl("get", *lease, check=False).returncode == 0)
        other = deploy("-e", "thebot_image_tag=1.0.2", namespace=ns)
        assert other.returncode == 2
        assert f"another deploy holds the lock thebot-deploy-lock in namespace {ns}" in other.flat, other.output[-3000:]
        assert "thebot_lock_wait=SECONDS" in other.flat
        kube.kubectl("label", "nodes", "--all", f"{gate}=open")
        assert one.finish().returncode == 0
        kube.kubectl("label", "nodes", "--all", f"{gate}-")
        # With a lock wait, the second waits its turn: two revisions, one after the other. The gate is opened once
        # the second run is at its lock (its task's banner, then a poll's time), so it really waits.
        one = deploy.background("-e", "thebot_image_tag=1.0.3", "-e", gated, namespace=ns)
        wait_for("the first deploy's lock", lambda: kube.kubectl("get", *lease, check=False).returncode == 0)
        waiting = deploy.background("-e", "thebot_image_tag=1.0.4", "-e", "thebot_lock_wait=300", namespace=ns)
        wait_for("the second deploy at the lock", lambda: "Take the deploy lock" in waiting.so_far(), timeout=300)
        time.sleep(5)
        assert waiting.poll() is None, "the second deploy waits while the first holds the lock"
        kube.kubectl("label", "nodes", "--all", f"{gate}=open")
        one, waiting = one.finish(), waiting.finish()
    finally:
        kube.kubectl("label", "nodes", "--all", f"{gate}-", check=False)
    assert one.returncode == 0 and waiting.returncode == 0, waiting.output[-3000:]
    history = revisions(kube, ns)
    assert [r["status"] for r in history] == ["superseded"] * 3 + ["deployed"]
    assert backend(kube, ns)["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.4")
    assert kube.kubectl("get", *lease, check=False).returncode != 0, "the lock is given back"


def test_etcd_restarted_then_the_next_deploy_succeeds(kube, deploy, cluster_name):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    bed = testbed.Cluster(cluster_name)
    bed.stop("etcd", kill=True)
    report_repairs(bed.recover())
    after = deploy("-e", "thebot_image_tag=1.0.1", namespace=first.namespace)
    assert after.returncode == 0, after.output[-3000:]
    assert statuses(kube, first.namespace) == ["superseded", "deployed"]


def test_a_killed_run_is_taken_over_at_once_and_its_helm_is_never_raced(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    # An upgrade whose rollout cannot finish; then only ansible-playbook is killed (a closed terminal): the
    # task's worker and its helm live on, holding nothing but the release.
    upgrade = deploy.background("-e", "thebot_image_tag=1.0.3", "-e", UNSCHEDULABLE, "-e", "thebot_helm_timeout=300s",
                                namespace=ns, new_session=True)
    try:
        wait_for("the upgrade's pending revision", lambda: statuses(kube, ns)[-1] == "pending-upgrade")
        os.kill(upgrade.pid, signal.SIGKILL)
        raced = deploy("-e", "thebot_image_tag=1.0.3", namespace=ns)
        assert raced.returncode == 2, raced.output[-3000:]
        assert "helm is still writing release thebot" in raced.flat, raced.output[-3000:]
        assert statuses(kube, ns) == ["deployed", "pending-upgrade"], "no second helm ran"
        helm = int(re.search(r"PID (\d+), helm upgrade", raced.flat).group(1))
        os.kill(helm, signal.SIGKILL)
        wait_for("the killed helm to be gone", lambda: not os.path.exists(f"/proc/{helm}"))
        # No lock wait, no stale_after: the holder is provably gone (its PID, on this host), so at once.
        after = deploy("-e", "thebot_image_tag=1.0.3", namespace=ns)
    finally:
        try:
            os.killpg(upgrade.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert after.returncode == 0, after.output[-4000:]
    assert f"its run (PID {upgrade.pid} on" in after.flat and "this run takes it over" in after.flat
    assert statuses(kube, ns) == ["superseded", "failed", "superseded", "deployed"], "undone, then deployed"
    assert "nodeSelector" not in json.dumps(backend(kube, ns)["spec"]), "the interrupted revision is undone"


def test_a_lock_held_from_another_host_is_taken_over_within_the_operators_bound(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    taken = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=120)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    holder = "ops@another-host pid 4242 started 1 abcd1234"
    kube.kubectl("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "thebot-deploy-lock", "namespace": ns},
        "spec": {"holderIdentity": holder, "leaseDurationSeconds": 900, "acquireTime": taken, "renewTime": taken}}))
    refused = deploy("-e", "thebot_image_tag=1.0.1", namespace=ns)
    assert refused.returncode == 2 and holder in refused.flat, refused.output[-3000:]
    assert "thebot_lock_takeover_after=SECONDS" in refused.flat, "the message names the way out"
    within = deploy("-e", "thebot_image_tag=1.0.1", "-e", "thebot_lock_takeover_after=300", namespace=ns)
    assert within.returncode == 2, "taken 120 s ago: within a bound of 300 s it is still held"
    bound = deploy("-e", "thebot_image_tag=1.0.1", "-e", "thebot_lock_takeover_after=60", namespace=ns)
    assert bound.returncode == 0, bound.output[-3000:]
    assert "it was taken more than 60 s ago" in bound.flat
    assert statuses(kube, ns) == ["superseded", "deployed"]
