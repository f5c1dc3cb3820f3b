"""What the testinfra tests of every scenario share: the cluster and the scenario's namespace.

pytest loads this file for molecule/<scenario>/tests/, which molecule's testinfra verifier runs.
kubectl and helm run on the controller through testinfra's local backend, against the cluster the
default scenario's create.yml started and recorded in the shared ephemeral directory.
"""

import json
import os
from pathlib import Path

import pytest
import testinfra


class Cluster:
    """kubectl and helm on one namespace of the test cluster, answers parsed from JSON."""

    def __init__(self, host, record: dict, namespace: str):
        self.host, self.namespace = host, namespace
        self._kubectl = [f"{record['bin']}/kubectl", f"--kubeconfig={record['kubeconfig']}",
                         f"--context={record['context']}"]
        self._helm = [f"{record['bin']}/helm", f"--kubeconfig={record['kubeconfig']}",
                      f"--kube-context={record['context']}"]

    def _json(self, command: list) -> dict | list:
        return json.loads(self.host.check_output(" ".join(["%s"] * len(command)), *command))

    def get(self, kind: str, name: str | None = None) -> dict:
        """One object of the namespace, or (no name) the List of every object of that kind."""
        return self._json([*self._kubectl, "get", kind, *([name] if name else []), "-n", self.namespace,
                           "-o", "json"])

    def items(self, kind: str, selector: str | None = None) -> list:
        return self._json([*self._kubectl, "get", kind, "-n", self.namespace, "-o", "json",
                           *(["-l", selector] if selector else [])])["items"]

    def cluster_get(self, kind: str, name: str) -> dict:
        """A cluster-scoped object (a Namespace)."""
        return self._json([*self._kubectl, "get", kind, name, "-o", "json"])

    def history(self, release: str = "thebot") -> list:
        return self._json([*self._helm, "history", release, "-n", self.namespace, "-o", "json"])

    def values(self, release: str = "thebot") -> dict:
        return self._json([*self._helm, "get", "values", release, "-n", self.namespace, "--all", "-o", "json"])

    def releases(self) -> list:
        return self._json([*self._helm, "list", "-n", self.namespace, "--all", "-o", "json"])


@pytest.fixture(scope="session")
def ephemeral() -> Path:
    """The directory molecule shares between scenarios (shared_state)."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])


@pytest.fixture(scope="session")
def cluster(ephemeral) -> Cluster:
    record = json.loads((ephemeral / "cluster.yml").read_text())
    return Cluster(testinfra.get_host("local://"), record, f"molecule-{os.environ['MOLECULE_SCENARIO_NAME']}")
