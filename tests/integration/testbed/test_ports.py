"""The test bed's ports: none from the kernel's ephemeral range, none given twice, each kept while its cluster
lives (a stopped component restarts on it) and given back at down. Needs no cluster: the registry and the pool are
pointed at a temporary folder, and the real loopback is probed."""

import json
import socket

import pytest

import testbed


@pytest.fixture
def registry(tmp_path, monkeypatch):
    monkeypatch.setattr(testbed, "PORT_REGISTRY", tmp_path / "ports.json")
    return tmp_path


def owner(folder, name):
    """A cluster.json as Cluster._init writes it, whose record() writes the ports it is given."""
    path = folder / name / "cluster.json"
    path.parent.mkdir()

    def record(ports):
        path.write_text(json.dumps({"ports": dict(zip(testbed.PORTS, sorted(ports)))}))

    return path, record


def test_no_port_is_from_the_ephemeral_range_and_no_two_clusters_share_one(registry):
    low, high = testbed.ephemeral_range()
    given = []
    for name in ("a", "b", "c"):
        path, record = owner(registry, name)
        given.append(testbed.allocate_ports(path, len(testbed.PORTS), record))
    every = [port for ports in given for port in ports]
    assert len(set(every)) == len(every) == 3 * len(testbed.PORTS)
    assert not [port for port in every if low <= port <= high], (low, high, every)
    assert json.loads((registry / "a" / "cluster.json").read_text())["ports"]["etcd_client"] == min(given[0])


def test_a_port_something_listens_on_is_never_given(registry):
    path, record = owner(registry, "probe")
    first = testbed.allocate_ports(path, 1, record)[0]
    testbed.release_ports(path)
    path.unlink()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", first))
        listener.listen()
        again, record = owner(registry, "again")
        assert first not in testbed.allocate_ports(again, len(testbed.PORTS), record)


def test_ports_are_kept_while_the_cluster_lives_and_given_back_after(registry):
    path, record = owner(registry, "kept")
    ports = testbed.allocate_ports(path, len(testbed.PORTS), record)
    held = json.loads(testbed.PORT_REGISTRY.read_text())
    assert {int(port) for port, holder in held.items() if holder == str(path)} == set(ports)
    testbed.release_ports(path)
    assert json.loads(testbed.PORT_REGISTRY.read_text()) == {}


def test_a_cluster_removed_without_down_frees_its_ports(registry):
    """A run killed before down, whose folder was then removed: its ports are not held for ever."""
    path, record = owner(registry, "gone")
    testbed.allocate_ports(path, len(testbed.PORTS), record)
    path.unlink()
    other, record = owner(registry, "other")
    testbed.allocate_ports(other, 1, record)
    assert set(json.loads(testbed.PORT_REGISTRY.read_text()).values()) == {str(other)}
