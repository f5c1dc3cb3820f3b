"""thebot.platform.helm_rollback: the argv and environment helm gets, as its action plugin (in ansible-playbook's
process) and its module (a process of its own) run it, against a stand-in helm that records them. How helm then
rolls a release back on a cluster is tests/integration (rollback.yml, the AWX rollback template, recovery)."""

import json
import sys

import pytest

from helpers.tasks import run_module, run_task

TOKEN = "rollback-test-token-7f3a"
ARGS = {"release_name": "thebot", "release_namespace": "thebot-dev", "revision": 3, "wait_timeout": "5m"}


@pytest.fixture
def helm(tmp_path, monkeypatch):
    """A helm that writes its argv and cluster settings to record.json, and fails when told to."""
    record = tmp_path / "record.json"
    path = tmp_path / "helm"
    path.write_text(f"""#!{sys.executable}
import json, os, sys
settings = dict((k, v) for k, v in os.environ.items() if k.startswith("HELM_") or k == "KUBECONFIG")
with open({str(record)!r}, "w") as handle:
    json.dump({{"argv": sys.argv[1:], "env": settings}}, handle)
if os.environ.get("FAKE_HELM_FAIL"):
    sys.stderr.write("Error: release: not found\\n")
    sys.exit(1)
print("Rollback was a success! Happy Helming!")
""")
    path.chmod(0o755)
    for name in ("KUBECONFIG", "HELM_KUBECONTEXT", "FAKE_HELM_FAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("K8S_AUTH_HOST", "https://203.0.113.7:6443")
    monkeypatch.setenv("K8S_AUTH_API_KEY", TOKEN)
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "false")
    return path, record


def _both(args, tmp_path):
    """The action's result with ansible's whole output, then the module's result."""
    action, output = run_task("helm_rollback", args)
    module = run_module("helm_rollback", args, tmp_path)
    return action, output, module


def test_helm_gets_the_bearer_token_by_environment_never_by_argument(helm, tmp_path):
    path, record = helm
    expected = ["rollback", "thebot", "3", "--namespace", "thebot-dev", "--wait", "--timeout", "5m",
                "--history-max", "10"]
    action, output, module = _both(dict(ARGS, helm_binary=str(path)), tmp_path)
    for result in (action, module):
        assert result["changed"] and not result.get("failed") and result["revision"] == 3, output[-3000:]
    seen = json.loads(record.read_text())  # the module's run, the last
    assert seen["argv"] == expected
    assert seen["env"]["HELM_KUBEAPISERVER"] == "https://203.0.113.7:6443"
    assert seen["env"]["HELM_KUBETOKEN"] == TOKEN and seen["env"]["HELM_KUBEINSECURE_SKIP_TLS_VERIFY"] == "true"
    assert "KUBECONFIG" not in seen["env"] and "HELM_KUBECONTEXT" not in seen["env"]
    assert TOKEN not in output


def test_a_kubeconfig_given_wins_over_the_environment(helm, tmp_path):
    path, record = helm
    run_task("helm_rollback", dict(ARGS, helm_binary=str(path), kubeconfig="/etc/k/config", context="prod",
                                   helm_plugins="/opt/plugins"))
    seen = json.loads(record.read_text())["env"]
    assert seen["KUBECONFIG"] == "/etc/k/config" and seen["HELM_KUBECONTEXT"] == "prod"
    assert seen["HELM_PLUGINS"] == "/opt/plugins"
    assert "HELM_KUBEAPISERVER" not in seen and "HELM_KUBETOKEN" not in seen


def test_a_failed_rollback_names_the_release_the_revision_and_helms_reason(helm, tmp_path, monkeypatch):
    path = helm[0]
    monkeypatch.setenv("FAKE_HELM_FAIL", "1")
    action, output, module = _both(dict(ARGS, helm_binary=str(path)), tmp_path)
    for result in (action, module):
        assert result.get("failed") and result["rc"] == 1, output[-3000:]
        assert result["msg"] == ("helm rollback of release thebot in namespace thebot-dev to revision 3 failed: "
                                 "Error: release: not found")


def test_check_mode_runs_nothing_and_says_what_it_would_do(helm):
    path, record = helm
    action, output = run_task("helm_rollback", dict(ARGS, helm_binary=str(path)), "--check")
    assert action["changed"] and action["msg"] == "would roll thebot back to revision 3", output[-3000:]
    assert not record.exists()


def test_revision_zero_is_refused_before_helm_runs(helm):
    path, record = helm
    action, output = run_task("helm_rollback", dict(ARGS, helm_binary=str(path), revision=0))
    assert action.get("failed") and "revision must be 1 or more" in action["msg"], output[-3000:]
    assert not record.exists()
