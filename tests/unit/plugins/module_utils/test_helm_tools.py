"""helm_tools.helm_environment: the one rule by which every helm call that reaches a cluster (helm diff, helm
rollback) gets there, the same as kubernetes.core's client applies to the modules."""

from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import helm_environment


def test_helm_reaches_the_cluster_by_environment_never_by_argument(monkeypatch):
    monkeypatch.setenv("HELM_DIFF_THREE_WAY_MERGE", "true")
    monkeypatch.setenv("K8S_AUTH_HOST", "https://api:6443")
    monkeypatch.setenv("K8S_AUTH_API_KEY", "token")
    env = helm_environment({"kubeconfig": "/k", "context": "c"}, "/plugins")
    assert env["KUBECONFIG"] == "/k" and env["HELM_KUBECONTEXT"] == "c" and env["HELM_PLUGINS"] == "/plugins"
    assert "HELM_KUBEAPISERVER" not in env and "HELM_DIFF_THREE_WAY_MERGE" not in env
    monkeypatch.delenv("KUBECONFIG", raising=False)
    env = helm_environment({"validate_certs": False}, None)
    assert env["HELM_KUBEAPISERVER"] == "https://api:6443" and env["HELM_KUBETOKEN"] == "token"
    assert env["HELM_KUBEINSECURE_SKIP_TLS_VERIFY"] == "true" and "KUBECONFIG" not in env


def test_tls_verification_follows_the_task_else_k8s_auth_verify_ssl(monkeypatch):
    monkeypatch.setenv("K8S_AUTH_HOST", "https://api:6443")
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "no")
    assert helm_environment({}, None)["HELM_KUBEINSECURE_SKIP_TLS_VERIFY"] == "true"
    assert "HELM_KUBEINSECURE_SKIP_TLS_VERIFY" not in helm_environment({"validate_certs": True}, None)
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "true")
    assert "HELM_KUBEINSECURE_SKIP_TLS_VERIFY" not in helm_environment({}, None)
