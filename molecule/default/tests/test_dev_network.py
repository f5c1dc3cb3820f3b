"""dev's NetworkPolicies, enforced (kind: kube-router is the policy engine), and the machine's own guard.

Each connection is opened for real from a running pod. On the kwok provider these tests do not run
(kwok starts no container) and say so.
"""

import json
import re
import subprocess

import pytest

OUTSIDER = "molecule-outsider"


def service(cluster, name: str) -> str:
    return f"thebot-{name}.{cluster.namespace}.svc.cluster.local"


@pytest.fixture(scope="module")
def outsider(containers, cluster):
    """A pod in a namespace of its own, with no policy of its own: what another tenant could send."""
    name = containers.client(OUTSIDER)
    yield name
    cluster.kubectl("delete", "pod", name, "-n", OUTSIDER, "--wait=true")


@pytest.mark.parametrize("database,port", [("postgresql", 5432), ("redis", 6379)])
def test_the_backend_reaches_postgresql_and_redis(containers, cluster, database, port):
    backend = containers.pod("backend")["metadata"]["name"]
    assert containers.connects(backend, service(cluster, database), port)


def test_the_frontend_cannot_reach_postgresql(containers, cluster):
    frontend = containers.pod("frontend")["metadata"]["name"]
    assert not containers.connects(frontend, service(cluster, "postgresql"), 5432)


@pytest.mark.parametrize("target,port", [("postgresql", 5432), ("redis", 6379), ("backend", 8000)])
def test_a_pod_of_another_namespace_is_refused(containers, cluster, outsider, target, port):
    assert not containers.connects(outsider, service(cluster, target), port, namespace=OUTSIDER)


def test_the_outsider_can_connect_where_no_policy_stops_it(containers, outsider):
    """So the refusals above are the policies', not a pod that cannot connect at all."""
    assert containers.connects(outsider, "kube-dns.kube-system.svc.cluster.local", 53, namespace=OUTSIDER)


def ours(rule: str, flag: str) -> bool:
    """Whether the rule's source (-s) or destination (-d) is in the ranges the test cluster uses (10.244-10.259)."""
    match = re.search(rf"(?:^| ){flag} (\S+)", rule)
    return bool(match and re.match(r"10\.2(4[4-9]|5\d)\.", match.group(1)))


def _drop_counter(uplink: str) -> int:
    """Packets the DOCKER-USER rule that drops forwarding out of the uplink has dropped."""
    rules = subprocess.run(["iptables", "-L", "DOCKER-USER", "-v", "-n", "-x"], capture_output=True, text=True,
                           check=True).stdout
    for line in rules.splitlines():
        fields = line.split()
        if len(fields) > 6 and fields[2] == "DROP" and fields[6] == uplink:
            return int(fields[0])
    raise AssertionError(f"no DOCKER-USER rule drops forwarding out of {uplink}:\n{rules}")


def test_nothing_leaves_the_machine(containers, cluster, outsider):
    routes = json.loads(subprocess.run(["ip", "-j", "route", "show", "default"], capture_output=True, text=True,
                                       check=True).stdout)
    uplink, gateway = routes[0]["dev"], routes[0]["gateway"]
    nat = subprocess.run(["iptables-save", "-t", "nat"], capture_output=True, text=True, check=True).stdout
    # docker's hairpin rule for a published port (a container to its own address) stays on the machine;
    # a rule that masquerades our ranges towards anything else would let them out under the host's address
    masquerading = [line for line in nat.splitlines() if "MASQUERADE" in line and ours(line, "-s")
                    and not ours(line, "-d")]
    assert not masquerading, f"docker's or the pods' networks are masqueraded: {masquerading}"
    # a pod has routes to the pod and service ranges only
    unroutable = containers.python(outsider, "import socket, sys; socket.create_connection((sys.argv[1], 80), timeout=3)",
                                   gateway, namespace=OUTSIDER)
    assert unroutable.rc != 0 and "Network is unreachable" in unroutable.stderr, unroutable.stderr
    # the node itself has a default route (to dockerd's bridge); the host drops what it would forward out
    node = containers.client(OUTSIDER, host_network=True)
    before = _drop_counter(uplink)
    assert not containers.connects(node, gateway, 80, namespace=OUTSIDER)
    assert _drop_counter(uplink) > before, "the node's connection attempt was not dropped on the host"
