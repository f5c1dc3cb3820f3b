"""The fault tests kill and restart the cluster's own processes: they get a cluster of their own."""

import pytest

from helpers.kube import cluster, session_cluster_name


@pytest.fixture(scope="package")
def cluster_name():
    return session_cluster_name() + "-faults"


@pytest.fixture(scope="package")
def kube(cluster_name):  # pylint: disable=redefined-outer-name
    yield from cluster(cluster_name)
