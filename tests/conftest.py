"""Session-wide fixtures: the local test cluster, started once and stopped at the end.

The cluster is real (etcd, kube-apiserver, kube-controller-manager, kube-scheduler); kwok plays the
kubelet, so containers never run: pods become Ready (or Succeeded, for Job pods) by kwok's stages.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "testbed"))

# The repository is the collection thebot.platform: expose it where Python imports and ansible
# look for collections (ansible_collections/<namespace>/<name>), through a link outside the tree.
COLLECTIONS = Path(tempfile.mkdtemp(prefix="thebot-collections-"))
(COLLECTIONS / "ansible_collections" / "thebot").mkdir(parents=True)
(COLLECTIONS / "ansible_collections" / "thebot" / "platform").symlink_to(ROOT)
sys.path.insert(0, str(COLLECTIONS))
os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
atexit.register(shutil.rmtree, COLLECTIONS, True)

import testbed  # noqa: E402  (the test bed is test code, not an installed package)


class Kube:
    """kubectl and helm bound to one cluster's kubeconfig; each call returns the CompletedProcess."""

    def __init__(self, kubeconfig: Path):
        self.kubeconfig = kubeconfig
        self.env = dict(os.environ, KUBECONFIG=str(kubeconfig), HELM_PLUGINS=str(testbed.HOME / "helm-plugins"),
                        PATH=f"{testbed.HOME / 'bin'}:{os.environ['PATH']}")

    def run(self, *args, stdin=None, check=True):
        result = subprocess.run(list(args), input=stdin, capture_output=True, text=True, env=self.env, check=False)
        if check and result.returncode:
            raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def kubectl(self, *args, **kw):
        return self.run(testbed.binary("kubectl"), *args, **kw)

    def helm(self, *args, **kw):
        return self.run(testbed.binary("helm"), *args, **kw)

    def get(self, *args):
        return json.loads(self.kubectl("get", "-o", "json", *args).stdout)


@pytest.fixture(scope="session")
def cluster_name() -> str:
    return os.environ.get("THEBOT_TESTBED_NAME", "thebot-test")


@pytest.fixture(scope="session")
def kube(cluster_name):
    """Bring the test cluster up (idempotent); take it down after the session unless asked to keep it."""
    up = subprocess.run([sys.executable, str(ROOT / "tests/testbed/testbed.py"), "up", "--name", cluster_name],
                        capture_output=True, text=True, check=False)
    assert up.returncode == 0, f"testbed up failed:\n{up.stderr}"
    yield Kube(Path(up.stdout.strip()))
    if os.environ.get("THEBOT_TESTBED_KEEP") != "1":
        subprocess.run([sys.executable, str(ROOT / "tests/testbed/testbed.py"), "down", "--name", cluster_name],
                       check=True)


@pytest.fixture
def namespace(kube, request):
    """A fresh namespace per test, deleted afterwards (without waiting for finalizers).

    The random suffix keeps reruns on a kept cluster apart from namespaces still terminating.
    """
    name = "t-" + request.node.name.lower().replace("_", "-")[:44].strip("-") + "-" + uuid.uuid4().hex[:5]
    kube.kubectl("create", "namespace", name)
    yield name
    kube.kubectl("delete", "namespace", name, "--wait=false")
