"""The pinned Python tool chain is installed and each tool starts (ansible with kubernetes.core,
molecule, testinfra, ansible-lint, yamllint, the kubernetes client)."""

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")


def _pins():
    lines = (Path(__file__).resolve().parents[2] / "requirements.in").read_text().splitlines()
    return dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))


@pytest.mark.parametrize("package,version", sorted(_pins().items()))
def test_pinned_package_is_installed(package, version):
    assert importlib.metadata.version(package) == version


@pytest.mark.parametrize("command", [["molecule", "--version"], ["ansible-lint", "--version"],
                                     ["yamllint", "--version"], ["ansible-playbook", "--version"]])
def test_tool_starts(command):
    result = subprocess.run([str(BIN / command[0]), *command[1:]], capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_core_is_bundled():
    result = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "kubernetes.core", "--format", "json"],
                            capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0, result.stderr
    versions = [c["kubernetes.core"]["version"] for c in json.loads(result.stdout).values() if "kubernetes.core" in c]
    assert versions and all(v.startswith("6.") for v in versions), f"kubernetes.core 6.x expected, found {versions}"
