"""What the testinfra tests of every scenario share: the cluster, the scenario's namespace, and, on kind,
the running containers.

pytest loads this file for molecule/<scenario>/tests/, which molecule's testinfra verifier runs.
kubectl and helm run on the controller through testinfra's local backend, against the cluster the
default scenario's create.yml started and recorded in the shared ephemeral directory. Inside the pods,
testinfra's kubectl backend runs the commands (kubectl exec).
"""

import json
import os
import shlex
import time
import uuid
from pathlib import Path

import pytest
import testinfra

# The label of a scenario's client pods (molecule/shared/host_vars/molecule/clusters.yml: molecule_client_label).
CLIENT_LABEL = "molecule.thebot.test/scenario"


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

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        """kubectl on the whole cluster; stdin goes through a here-document (testinfra runs a shell)."""
        command = " ".join(["%s"] * (len(self._kubectl) + len(args)))
        if stdin is not None:
            command += " <<'THEBOT_EOF'\n" + stdin + "\nTHEBOT_EOF"
        return self.host.check_output(command, *self._kubectl, *args)


class Containers:
    """The scenario's running containers (kind only): commands inside them, and HTTP and TCP from them."""

    def __init__(self, cluster: Cluster, record: dict):
        self.cluster, self.record = cluster, record

    def host(self, pod: str, container: str | None = None, namespace: str | None = None):
        spec = f"kubectl://{pod}?namespace={namespace or self.cluster.namespace}"
        if container:
            spec += f"&container={container}"
        return testinfra.get_host(spec, kubeconfig=self.record["kubeconfig"], context=self.record["context"])

    def pod(self, component: str) -> dict:
        """The first running pod of a component of the release."""
        pods = [p for p in self.cluster.items("pods", f"app.kubernetes.io/component={component}")
                if p["status"].get("phase") == "Running"]
        assert pods, f"no running pod of {component}"
        return pods[0]

    def run(self, pod: str, script: str, namespace: str | None = None, container: str | None = None):
        return self.host(pod, container, namespace).run(script)

    def python(self, pod: str, code: str, *args: str, namespace: str | None = None):
        """python3 in the pod (every image built from tests/images has it)."""
        return self.run(pod, " ".join(["python3", "-c", shlex.quote(code), *map(shlex.quote, args)]), namespace)

    def http(self, pod: str, url: str, body: dict | None = None, host: str | None = None,
             namespace: str | None = None) -> tuple:
        """(status, parsed JSON body) of a request sent from inside the pod."""
        code = (
            "import json, sys, urllib.error, urllib.request\n"
            "url, body, host = sys.argv[1], sys.argv[2], sys.argv[3]\n"
            "request = urllib.request.Request(url, data=body.encode() if body else None,\n"
            "    headers={'Content-Type': 'application/json', **({'Host': host} if host else {})})\n"
            "try:\n"
            "    response = urllib.request.urlopen(request, timeout=10)\n"
            "except urllib.error.HTTPError as error:\n"
            "    response = error\n"
            "print(json.dumps([response.status, response.read().decode()]))\n")
        result = self.python(pod, code, url, json.dumps(body) if body is not None else "", host or "",
                             namespace=namespace)
        assert result.rc == 0, f"{url} from {pod}: {result.stderr[-1500:]}"
        status, text = json.loads(result.stdout)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def backend(self, path: str, pod: str | None = None) -> tuple:
        """(status, JSON) of a request from a running backend pod to its own port, as the probes send it
        (Host localhost); what shared/tasks/backend.yml does for the plays."""
        return self.http(pod or self.pod("backend")["metadata"]["name"], f"http://127.0.0.1:8000{path}",
                         host="localhost")

    def connects(self, pod: str, host: str, port: int, namespace: str | None = None) -> bool:
        """Whether a TCP connection from the pod to host:port opens within 3 s."""
        result = self.python(pod, "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])),"
                                  " timeout=3); print('open')", host, str(port), namespace=namespace)
        return result.rc == 0 and result.stdout.strip() == "open"

    def client(self, namespace: str, host_network: bool = False) -> str:
        """A pod that only sends requests, in one of the client namespaces create.yml made (shared by the scenarios
        running side by side), labelled with the scenario that the scenario's cleanup removes; the caller deletes
        it when done. With host_network, in the node's network namespace instead of the pod network."""
        name = f"{os.environ['MOLECULE_SCENARIO_NAME']}-{'node' if host_network else 'client'}-{uuid.uuid4().hex[:6]}"
        image = "localhost/thebot-fixture/backend:1.0.0"
        context = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                   "runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}}
        manifest = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "namespace": namespace,
                                 "labels": {CLIENT_LABEL: os.environ["MOLECULE_SCENARIO_NAME"]}},
                    "spec": {"containers": [{"name": "client", "image": image, "imagePullPolicy": "Never",
                                             "command": ["sleep", "infinity"], "securityContext": context}],
                             "hostNetwork": host_network, "terminationGracePeriodSeconds": 0}}
        self.cluster.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
        self.cluster.kubectl("wait", "-n", namespace, "--for=condition=Ready", f"pod/{name}", "--timeout=120s")
        return name


def eventually(check, timeout: float = 60, interval: float = 2):
    """check() until it returns something true; its last value (or the assertion it raised) after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture(scope="session")
def ephemeral() -> Path:
    """The directory molecule shares between scenarios (shared_state)."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])


@pytest.fixture(scope="session")
def record(ephemeral) -> dict:
    """Where the cluster is, as create.yml recorded it: provider, kubeconfig, context, the tools' folder."""
    record = json.loads((ephemeral / "cluster.yml").read_text())
    # testinfra's kubectl backend calls "kubectl" by name: the test bed's
    os.environ["PATH"] = f"{record['bin']}:{os.environ['PATH']}"
    return record


@pytest.fixture(scope="session")
def cluster(record) -> Cluster:
    return Cluster(testinfra.get_host("local://"), record, f"molecule-{os.environ['MOLECULE_SCENARIO_NAME']}")


@pytest.fixture(scope="session")
def containers(cluster, record) -> Containers:
    """The running containers. A kwok node runs none: there, what needs them is not checked, and says so."""
    if record["provider"] != "kind":
        pytest.skip("kwok nodes run no container: this runs on kind (THEBOT_MOLECULE_PROVIDER=kind, the default)")
    return Containers(cluster, record)


@pytest.fixture(scope="session")
def ingress_client(containers, cluster):
    """A pod where the ingress controller would be (namespace ingress-nginx, which the chart's policies let
    reach the frontend and the backend), sending what the controller would, with the ingress host."""
    name = containers.client("ingress-nginx")
    yield name
    cluster.kubectl("delete", "pod", name, "-n", "ingress-nginx", "--wait=true")
