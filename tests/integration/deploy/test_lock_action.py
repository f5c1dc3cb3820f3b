"""The release_lock action plugin (what the lock role runs) against a real API server: what the module does, from
ansible-playbook's own process. The playbooks' lock behaviour (waits, takeovers, a killed run's helm) is proven
through deploy.yml in tests/integration/faults and test_safe_by_construction.py."""

import json

import pytest

from helpers.tasks import run_module, run_task

pytestmark = pytest.mark.cluster


def lease(kube, namespace):
    found = kube.kubectl("get", "lease", "thebot-deploy-lock", "-n", namespace, "-o", "json", check=False)
    return json.loads(found.stdout)["spec"] if found.returncode == 0 else None


def test_the_action_takes_refuses_and_gives_back_as_the_module_does(kube, namespace, tmp_path):
    args = {"kubeconfig": str(kube.kubeconfig), "name": "thebot-deploy-lock", "namespace": namespace}
    checked, output = run_task("release_lock", {**args, "holder": "ops@here pid 1 started 1 aaaa"}, "--check")
    assert checked["changed"] and not checked["taken"] and lease(kube, namespace) is None, output[-3000:]

    taken, output = run_task("release_lock", {**args, "holder": "ops@here pid 1 started 1 aaaa"})
    assert taken["changed"] and taken["taken"] and not taken["expired"], output[-3000:]
    assert lease(kube, namespace)["holderIdentity"] == "ops@here pid 1 started 1 aaaa"

    other = {**args, "holder": "ops@there pid 2 started 2 bbbb"}
    refused, output = run_task("release_lock", other)
    module = run_module("release_lock", other, tmp_path)
    assert refused["failed"] and module["failed"], output[-3000:]
    assert refused["msg"] == module["msg"] and "another deploy holds the lock thebot-deploy-lock" in refused["msg"]
    assert refused["previous"] == module["previous"]

    mine = {**args, "state": "released", "holder": "ops@here pid 1 started 1 aaaa"}
    not_mine, output = run_task("release_lock", {**mine, "holder": "ops@there pid 2 started 2 bbbb"})
    assert not not_mine["changed"] and "not by this run" in " ".join(not_mine.get("warnings", [])), output[-3000:]
    given, output = run_task("release_lock", mine)
    assert given["changed"] and given["holder"] == "" and lease(kube, namespace) is None, output[-3000:]


def test_the_holder_is_the_process_that_ran_the_task(kube, namespace):
    """Without a holder given, the lock names the process a later run on this host checks for life: the
    controller's (ansible-playbook's in a playbook, here the `ansible` that ran the task), found among the
    action's ancestors as the module found it among its own."""
    pids = []
    taken, output = run_task("release_lock", {"kubeconfig": str(kube.kubeconfig), "name": "thebot-deploy-lock",
                                              "namespace": namespace}, "-vvv", pids=pids)
    assert taken["taken"] and "AnsiballZ" not in output, output[-3000:]
    holder = lease(kube, namespace)["holderIdentity"]
    assert f" pid {pids[0]} started " in holder and holder == taken["holder"], (holder, pids)
