"""What `make deploy` builds for a cluster that is not the local one: helm and helm-diff, and nothing of the test bed.

Built for real into an empty THEBOT_TESTBED_HOME (Go's build cache makes it a link step once the suite's own
build ran), then run.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import testbed

CLI = [sys.executable, str(Path(testbed.__file__))]
TOOL = {tool.module_dir: tool for tool in testbed.TOOLS}


def test_the_deploy_tools_are_helm_and_helm_diff_only(tmp_path):
    env = dict(os.environ, THEBOT_TESTBED_HOME=str(tmp_path))
    built = subprocess.run([*CLI, "build", "--deploy-tools"], capture_output=True, text=True, env=env, check=False)
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == str(tmp_path / "bin")
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["helm"], "no control plane, etcd, kwok, kubectl"
    assert sorted(p.name for p in (tmp_path / "tools").iterdir()) == \
        sorted(TOOL[name].directory().name for name in testbed.DEPLOY_TOOLS), "only the two tools are built"
    helm = str(tmp_path / "bin" / "helm")
    version = subprocess.run([helm, "version", "--template", "{{ .Version }}"], capture_output=True, text=True,
                             check=True)
    assert version.stdout == TOOL["helm"].version()
    diff = subprocess.run([helm, "diff", "version"], capture_output=True, text=True, check=True,
                          env=dict(os.environ, HELM_PLUGINS=str(tmp_path / "helm-plugins")))
    assert diff.stdout.strip() == TOOL["helm-diff"].version().lstrip("v")


def test_build_refuses_a_tool_it_does_not_know_by_name():
    with pytest.raises(testbed.TestbedError, match="^no tool kubelet: one of kubernetes, etcd, kwok, helm, helm-diff$"):
        testbed.build(("helm", "kubelet"))
