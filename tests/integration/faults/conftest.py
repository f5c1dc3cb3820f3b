"""The fault tests kill and restart the cluster's own processes: they get a cluster of their own."""

import os

import pytest

from helpers.kube import cluster


@pytest.fixture(scope="package")
def cluster_name():
    return os.environ.get("THEBOT_TESTBED_NAME", "thebot-test") + "-faults"


@pytest.fixture(scope="package")
def kube(cluster_name):  # pylint: disable=redefined-outer-name
    yield from cluster(cluster_name)
