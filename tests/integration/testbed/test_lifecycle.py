"""up is idempotent, clusters run side by side on free ports, down leaves nothing behind."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import testbed

pytestmark = pytest.mark.cluster

CLI = [sys.executable, str(Path(testbed.__file__))]


def cli(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)


@pytest.fixture
def side_cluster(kube):
    """A second cluster beside the session's one; always taken down, even when the test fails."""
    name = "thebot-side"
    yield testbed.Cluster(name)
    cli("down", "--name", name)


def test_second_cluster_runs_beside_the_first_then_down_leaves_nothing(kube, cluster_name, side_cluster):
    first = cli("up", "--name", side_cluster.name)
    assert first.returncode == 0, first.stderr
    state = side_cluster.load()
    pids = {c: side_cluster.alive(state, c) for c in testbed.COMPONENTS}
    assert all(pids.values()), f"not every component runs: {pids}"

    main = testbed.Cluster(cluster_name).load()
    shared = set(state["ports"].values()) & set(main["ports"].values())
    assert not shared, f"the two clusters share ports {shared}"
    assert kube.kubectl("get", "--raw", "/readyz").stdout == "ok", "the first cluster stays ready"

    again = cli("up", "--name", side_cluster.name)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout, "up twice prints the same kubeconfig"
    assert {c: side_cluster.alive(side_cluster.load(), c) for c in testbed.COMPONENTS} == pids, \
        "a second up must not restart running components"

    # A component alive but not doing its job (kwok stopped, not killed): the probe sees it, recover restarts it.
    assert side_cluster.recover(probe_timeout=20) == [], "a fresh cluster runs a pod: nothing to repair"
    os.kill(pids["kwok"], signal.SIGSTOP)
    assert not side_cluster.works(timeout=5), "no pod is Ready while kwok is stopped"
    repaired = side_cluster.recover(probe_timeout=20, hung_after=3)
    assert [note.split(" (")[0] for note in repaired] == ["kwok"], repaired
    assert side_cluster.alive(side_cluster.load(), "kwok") not in (None, pids["kwok"]), "a new kwok runs"
    pids["kwok"] = side_cluster.alive(side_cluster.load(), "kwok")
    # A component that exits by itself after recover() has started what was down (kube-scheduler does on a
    # corrupted cache): killed here at the first probe, which then really fails; it is started again and named,
    # and kwok, which runs, is left alone.
    probe, probes = side_cluster.works, []

    def scheduler_exits_then_probe(timeout):
        if not probes:
            side_cluster.stop("kube-scheduler", kill=True)
        probes.append(timeout)
        return probe(timeout)

    side_cluster.works = scheduler_exits_then_probe
    try:
        repaired = side_cluster.recover(probe_timeout=20, hung_after=3)
    finally:
        del side_cluster.works
    assert [note.split(" (")[0] for note in repaired] == ["kube-scheduler"] and len(probes) == 2, repaired
    assert side_cluster.alive(side_cluster.load(), "kwok") == pids["kwok"], "kwok was not restarted"
    pids["kube-scheduler"] = side_cluster.alive(side_cluster.load(), "kube-scheduler")
    state = side_cluster.load()

    down = cli("down", "--name", side_cluster.name)
    assert down.returncode == 0, down.stderr
    # alive() compares PID and start time, so a PID reused by an unrelated process does not count.
    alive = {c: side_cluster.alive(state, c) for c in testbed.COMPONENTS if side_cluster.alive(state, c)}
    assert not alive, f"processes left after down: {alive}"
    listening = [port for port in state["ports"].values() if testbed.port_in_use(port)]
    assert not listening, f"ports still listening after down: {listening}"
    assert not side_cluster.dir.exists(), "down removes the cluster's data"
    assert kube.kubectl("get", "--raw", "/readyz").stdout == "ok", "down of one cluster leaves the other alone"


def test_up_restarts_a_stopped_component_and_keeps_the_data(kube, cluster_name, namespace):
    """What a crash looks like: the apiserver goes away; up brings it back on the same etcd data."""
    kube.kubectl("create", "configmap", "survivor", "-n", namespace, "--from-literal=k=v")
    stopped = cli("stop", "kube-apiserver", "--name", cluster_name)
    assert stopped.returncode == 0, stopped.stderr
    assert kube.kubectl("get", "--raw", "/readyz", check=False).returncode != 0, "the apiserver is really stopped"
    status = cli("status", "--name", cluster_name)
    assert status.returncode == 1 and "kube-apiserver           stopped" in status.stdout, status.stdout
    restarted = cli("up", "--name", cluster_name)
    assert restarted.returncode == 0, restarted.stderr
    assert kube.get("configmap", "survivor", "-n", namespace)["data"] == {"k": "v"}
