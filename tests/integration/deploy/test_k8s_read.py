"""thebot.platform.k8s_read against a real API server: what kubernetes.core.k8s_info returns for the same
options, from ansible-playbook's process (its action plugin) and as a module process alike."""

import pytest

from helpers.tasks import run_module, run_task

pytestmark = pytest.mark.cluster


def objects(result):
    return sorted((r["kind"], r["metadata"]["name"], r["metadata"]["resourceVersion"]) for r in result["resources"])


def test_reads_what_k8s_info_reads_by_name_by_label_and_nothing_for_what_is_missing(kube, namespace, tmp_path):
    for name, tier in (("one", "a"), ("two", "a"), ("three", "b")):
        kube.kubectl("create", "configmap", name, "-n", namespace, f"--from-literal=tier={tier}")
        kube.kubectl("label", "configmap", name, "-n", namespace, f"tier={tier}")
    auth = {"kubeconfig": str(kube.kubeconfig)}
    queries = [{"kind": "ConfigMap", "namespace": namespace, "name": "one"},
               {"kind": "ConfigMap", "namespace": namespace, "label_selectors": ["tier=a"]},
               {"kind": "ConfigMap", "namespace": namespace, "name": "absent"},
               {"kind": "ConfigMap", "namespace": namespace + "-absent", "label_selectors": ["tier=a"]},
               {"kind": "Namespace", "name": namespace},
               {"kind": "Deployment", "api_version": "apps/v1", "namespace": namespace}]
    found = []
    for query in queries:
        ours, output = run_task("k8s_read", {**auth, **query}, "-vvv")
        theirs, their_output = run_task("kubernetes.core.k8s_info", {**auth, **query})
        module = run_module("k8s_read", {**auth, **query}, tmp_path)
        assert not ours.get("failed") and not theirs.get("failed"), output[-3000:] + their_output[-3000:]
        assert objects(ours) == objects(theirs) == objects(module), query
        assert "AnsiballZ" not in output, output[-3000:]
        found.append(ours["resources"])
    assert [len(resources) for resources in found] == [1, 2, 0, 0, 1, 0]
    assert found[0][0]["data"] == {"tier": "a"} and found[4][0]["kind"] == "Namespace"


def test_an_unreachable_cluster_fails_with_one_line_naming_what_was_read(tmp_path):
    kubeconfig = tmp_path / "gone.kubeconfig"
    kubeconfig.write_text(
        '{"apiVersion": "v1", "kind": "Config", "current-context": "gone",'
        ' "clusters": [{"name": "gone", "cluster": {"server": "https://127.0.0.1:9"}}],'
        ' "users": [{"name": "gone", "user": {"token": "none"}}],'
        ' "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "gone"}}]}')
    result, output = run_task("k8s_read", {"kubeconfig": str(kubeconfig), "kind": "Secret", "name": "creds",
                                           "namespace": "thebot"})
    assert result["failed"] and result["msg"].startswith("cannot read Secret creds in namespace thebot: "), output[-3000:]
    assert "\n" not in result["msg"]
