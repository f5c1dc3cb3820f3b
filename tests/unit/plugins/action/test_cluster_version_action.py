"""The cluster_version action plugin: the module's answer and its one-line reasons, from ansible-playbook's process.

Each case runs the task for real through `ansible localhost` and the module as its own process on the same
arguments. What cannot be reached needs no cluster: a kubeconfig that is not there, a context it lacks, an
address nothing listens on. The reachable case, against the suite's cluster, is in
tests/integration/deploy/test_prerequisites.py.
"""

import socket

import pytest
import yaml

from helpers.tasks import run_module, run_task


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is: nothing listens there


def _kubeconfig(tmp_path, server):
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "here",
        "clusters": [{"name": "here", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "here", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": "here", "context": {"cluster": "here", "user": "here"}}]}))
    return str(path)


CASES = {
    "no kubeconfig": lambda tmp: {"kubeconfig": str(tmp / "missing")},
    "no such context": lambda tmp: {"kubeconfig": _kubeconfig(tmp, "https://127.0.0.1:6443"), "context": "elsewhere"},
    "nothing listening": lambda tmp: {"kubeconfig": _kubeconfig(tmp, f"https://127.0.0.1:{_closed_port()}"),
                                      "timeout": 3},
}


@pytest.mark.parametrize("case", CASES)
def test_the_action_fails_as_the_module_does(case, tmp_path):
    args = CASES[case](tmp_path)
    action, output = run_task("cluster_version", args)
    module = run_module("cluster_version", args, tmp_path)
    assert action.get("failed") and module.get("failed"), output[-3000:]
    assert (action["msg"], action["cause"], action.get("host")) == (module["msg"], module["cause"], module.get("host"))
    assert "not-a-real-token" not in output


def test_no_module_process_is_started(tmp_path):
    action, output = run_task("cluster_version", {"kubeconfig": str(tmp_path / "missing")}, "-vvv")
    assert action["cause"] == "kubeconfig", output[-3000:]
    assert "AnsiballZ" not in output and "EXEC " not in output, output[-3000:]
