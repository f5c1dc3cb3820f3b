"""Session-wide fixtures: the local test cluster, started once and stopped at the end.

The cluster is real (etcd, kube-apiserver, kube-controller-manager, kube-scheduler); kwok plays the
kubelet, so containers never run: pods become Ready (or Succeeded, for Job pods) by kwok's stages.
"""

from __future__ import annotations

import atexit
import os
import shutil
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

# helpers.kube imports the test bed (test code, not an installed package) from the path set above.
from helpers.kube import cluster, session_cluster_name  # noqa: E402


@pytest.fixture(scope="session")
def cluster_name() -> str:
    return session_cluster_name()


@pytest.fixture(scope="session")
def kube(cluster_name):
    """The suite's cluster."""
    yield from cluster(cluster_name)


@pytest.fixture
def namespace(kube, request):
    """A fresh namespace per test, deleted afterwards (without waiting for finalizers).

    The random suffix keeps reruns on a kept cluster apart from namespaces still terminating.
    """
    name = "t-" + request.node.name.lower().replace("_", "-")[:44].strip("-") + "-" + uuid.uuid4().hex[:5]
    kube.kubectl("create", "namespace", name)
    yield name
    kube.kubectl("delete", "namespace", name, "--wait=false")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # pylint: disable=unused-argument
    """A failed test that used a test cluster says what state the cluster was in (testbed.Cluster.diagnose):
    a deploy that timed out reads the same whether the chart or the cluster was at fault."""
    outcome = yield
    report = outcome.get_result()
    name = item.funcargs.get("cluster_name") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and name:
        import testbed  # pylint: disable=import-outside-toplevel  # on sys.path from above
        try:
            report.sections.append((f"test bed {name}", testbed.Cluster(name).diagnose()))
        # Whatever goes wrong here, the test's own failure must be what is reported: an exception out of this
        # hook is an INTERNALERROR that ends the whole run (and, under xdist, takes the worker for crashed).
        except Exception as error:  # pylint: disable=broad-exception-caught
            report.sections.append((f"test bed {name}", f"no diagnosis: {type(error).__name__}: {error}"))
