"""A real Kubernetes control plane on loopback for tests and local deploys.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as local processes; kwok plays
the kubelet for fake nodes. Every binary is built from the Go module proxy by the wrapper modules
under gomod/ (their go.sum pins every hash) and cached outside the repo by version.

    testbed.py build            build what is missing, print the bin directory
    testbed.py up [--name N]    build, then start (or restart what stopped); print the kubeconfig path
    testbed.py status           each component: pid, health; exit 1 unless all are healthy
    testbed.py stop COMPONENT   stop one component (fault injection); "up" starts it again
    testbed.py down             stop every process by PID, free every port, remove the cluster's data
    testbed.py env              shell exports: PATH, KUBECONFIG, HELM_PLUGINS

What this cluster cannot do, by design: no container ever runs (kwok marks pods Ready or Succeeded
by stage), so images, commands and probes are never executed. Everything else is the real thing.
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import functools
import gzip
import hashlib
import http.server
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOMOD = HERE / "gomod"
HOME = Path(os.environ.get("THEBOT_TESTBED_HOME", Path.home() / ".cache" / "thebot-testbed"))
DEFAULT_NAME = os.environ.get("THEBOT_TESTBED_NAME", "thebot")
SERVICE_CIDR = "10.96.0.0/16"
KWOK_PROVISIONER = "kwok.x-k8s.io/volume"
# kwok runs no container, so a failing command is played by upstream's chaos stage: a pod with this label
# goes from Running to Failed with exit code 1 (tests use it for a migration that fails).
FAILING_POD_LABEL = "pod-container-running-failed.stage.kwok.x-k8s.io"
# Storage classes the inventories name (dev, staging, prod); all provisioned by kwok's volume stages.
STORAGE_CLASSES = ("standard", "ssd", "fast-ssd")
DEFAULT_STORAGE_CLASS = "standard"
FAKE_NODES = int(os.environ.get("THEBOT_TESTBED_NODES", "3"))
NODE_NAMES = tuple(f"kwok-node-{index}" for index in range(FAKE_NODES))


class TestbedError(Exception):
    """A failure with a message for the operator; printed without a traceback."""


class BedRepaired(UserWarning):
    """A component of the test bed was restarted because the cluster did not run a pod after a fault
    (Cluster.recover). Defined here, not in a test module: under pytest-xdist the controller rebuilds each
    worker's warnings by importing their category's module, and a test module is not importable there (CI
    once: ModuleNotFoundError, the worker taken for crashed, the run ended by an INTERNALERROR)."""


# --------------------------------------------------------------------------------------------- build

@dataclass(frozen=True)
class Tool:
    """One wrapper module under gomod/ and the binaries built from it."""

    module_dir: str        # folder under gomod/
    module: str            # the upstream module whose version is the tool's version
    packages: tuple        # (output name, Go package) pairs
    ldflags: tuple = ()    # "-X" stamps; "{version}", "{major}", "{minor}" are filled in

    def version(self) -> str:
        text = (GOMOD / self.module_dir / "go.mod").read_text()
        match = re.search(rf"^\s*{re.escape(self.module)} (v\S+)", text, re.M)
        if not match:
            raise TestbedError(f"gomod/{self.module_dir}/go.mod does not require {self.module}")
        return match.group(1)

    def fingerprint(self) -> str:
        """Changes when the pins or the build flags change, so a stale cache is rebuilt."""
        digest = hashlib.sha256()
        for name in ("go.mod", "go.sum"):
            digest.update((GOMOD / self.module_dir / name).read_bytes())
        digest.update(repr(self.ldflags).encode())
        return digest.hexdigest()[:12]

    def directory(self) -> Path:
        return HOME / "tools" / f"{self.module_dir}-{self.version()}-{self.fingerprint()}"


_K8S_STAMPS = tuple(
    f"-X {pkg}.{key}={value}"
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
    for key, value in (("gitVersion", "{version}"), ("gitMajor", "{major}"), ("gitMinor", "{minor}"),
                       ("gitTreeState", "clean"), ("buildDate", "1970-01-01T00:00:00Z"))
)

TOOLS = (
    Tool("kubernetes", "k8s.io/kubernetes",
         tuple((name, f"k8s.io/kubernetes/cmd/{name}") for name in
               ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")),
         _K8S_STAMPS),
    Tool("etcd", "go.etcd.io/etcd/server/v3", (("etcd", "go.etcd.io/etcd/server/v3"),)),
    Tool("kwok", "sigs.k8s.io/kwok", (("kwok", "sigs.k8s.io/kwok/cmd/kwok"),),
         ("-X sigs.k8s.io/kwok/pkg/consts.Version={bare}",)),
    # Unstamped helm reports its minor only; kubernetes.core parses the full version.
    Tool("helm", "helm.sh/helm/v3", (("helm", "helm.sh/helm/v3/cmd/helm"),),
         ("-X helm.sh/helm/v3/internal/version.version={version}",
          "-X helm.sh/helm/v3/internal/version.gitTreeState=clean")),
    Tool("helm-diff", "github.com/databus23/helm-diff/v3", (("diff", "github.com/databus23/helm-diff/v3"),),
         ("-X github.com/databus23/helm-diff/v3/cmd.Version={bare}",)),
)

# Built only by the benchmarks (bench/bench.py), which compare a deploy with it; tests never need it.
HELMFILE = Tool("helmfile", "github.com/helmfile/helmfile", (("helmfile", "github.com/helmfile/helmfile"),),
                ("-X go.szostok.io/version.version={version}",))

# Built only by the chart's kube-score test (tests/chart/test_kube_score.py): a checker we did not write.
KUBE_SCORE = Tool("kube-score", "github.com/zegl/kube-score", (("kube-score", "github.com/zegl/kube-score/cmd/kube-score"),),
                  ("-X main.version={bare}",))


def _go_env() -> dict:
    env = dict(os.environ)
    # -mod=readonly: every module hash must already be in the committed go.sum, so a changed
    # upstream artifact fails the build instead of being trusted.
    env.update(GOTOOLCHAIN="local", GOFLAGS="-mod=readonly -trimpath", CGO_ENABLED="0")
    return env


def _go_dir(tool: Tool, module: str) -> Path:
    """Where a pinned module's source is (downloaded and checked against go.sum if missing)."""
    subprocess.run(["go", "mod", "download", module], cwd=GOMOD / tool.module_dir, env=_go_env(), check=True)
    out = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", module], cwd=GOMOD / tool.module_dir,
                         env=_go_env(), check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def build_tool(tool: Tool) -> Path:
    target = tool.directory()
    if (target / ".complete").exists():
        return target
    if shutil.which("go") is None:
        raise TestbedError("go is not on PATH: the test bed builds its binaries with Go >= 1.26")
    version = tool.version()
    major, minor = version.lstrip("v").split(".")[:2]
    stamps = " ".join(flag.format(version=version, bare=version.lstrip("v"), major=major, minor=minor)
                      for flag in tool.ldflags)
    staging = Path(tempfile.mkdtemp(prefix=f".{tool.module_dir}-", dir=HOME / "tools"))
    staging.chmod(0o755)
    started = time.monotonic()
    print(f"testbed: building {tool.module_dir} {version} (cold builds take minutes)", file=sys.stderr)
    # One "go build" for all of a tool's packages shares the compile work; with several packages
    # -o names each binary after its package, which is why those names match the output names.
    output = f"{staging}/" if len(tool.packages) > 1 else str(staging / tool.packages[0][0])
    subprocess.run(["go", "build", "-tags=selinux,notest", "-ldflags", f"-s -w {stamps}",
                    "-o", output, *[package for _name, package in tool.packages]],
                   cwd=GOMOD / tool.module_dir, env=_go_env(), check=True)
    if tool.module_dir == "helm-diff":
        # A helm plugin is a folder with plugin.yaml and its binary; the upstream install hook
        # downloads a release, so the plugin.yaml is taken from the module and the hooks dropped.
        manifest = (_go_dir(tool, tool.module) / "plugin.yaml").read_text()
        manifest = re.sub(r"\nhooks:\n(  .*\n)*", "\n", manifest + "\n")
        (staging / "bin").mkdir()
        (staging / "diff").rename(staging / "bin" / "diff")
        (staging / "plugin.yaml").write_text(manifest)
    (staging / ".complete").touch()
    shutil.rmtree(target, ignore_errors=True)  # an interrupted earlier build
    os.replace(staging, target)
    print(f"testbed: built {tool.module_dir} {version} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return target


# What a deploy needs on the controller, where the cluster is another (make deploy THEBOT_KUBECONFIG=...).
DEPLOY_TOOLS = ("helm", "helm-diff")


def build(only: tuple = ()) -> Path:
    """Build every missing tool (or those of `only`, by module folder); link the current versions into HOME/bin
    and the helm plugin dir."""
    unknown = set(only) - {tool.module_dir for tool in TOOLS}
    if unknown:
        raise TestbedError(f"no tool {', '.join(sorted(unknown))}: one of {', '.join(t.module_dir for t in TOOLS)}")
    (HOME / "tools").mkdir(parents=True, exist_ok=True)
    bindir = HOME / "bin"
    bindir.mkdir(exist_ok=True)
    for tool in (t for t in TOOLS if not only or t.module_dir in only):
        directory = build_tool(tool)
        links = [(bindir / name, directory / name) for name, _package in tool.packages]
        if tool.module_dir == "helm-diff":
            links = [(HOME / "helm-plugins" / "diff", directory)]
        for link, target in links:
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() and os.readlink(link) == str(target):
                continue
            tmp = link.with_name(f".{link.name}.new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(target)
            os.replace(tmp, link)
    return bindir


def binary(name: str) -> str:
    return str(HOME / "bin" / name)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


def serve_folder(folder: Path, address: str = "127.0.0.1") -> tuple:
    """An HTTP server of folder on address, in a thread (the mirrors helm_release_files' files are read from);
    returns (server, base URL). server.shutdown() stops it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((address, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{address}:{server.server_address[1]}"


def helm_release_files(folder: Path) -> dict:
    """helm and helm-diff as their upstream release files (helm-<version>-linux-amd64.tar.gz,
    helm-diff-linux-amd64.tgz) made from the pinned builds, for the mirrors the prerequisites role and the
    execution environment read: reproducible (owners, times and order fixed), so the same builds give the same
    checksums. Returns file name -> sha256."""
    build(("helm", "helm-diff"))
    version = next(tool for tool in TOOLS if tool.module_dir == "helm").version()

    def normal(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        return info

    folder.mkdir(parents=True, exist_ok=True)
    sums = {}
    for name, source, inside in ((f"helm-{version}-linux-amd64.tar.gz", binary("helm"), "linux-amd64/helm"),
                                 ("helm-diff-linux-amd64.tgz", HOME / "helm-plugins" / "diff", "diff")):
        with (folder / name).open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as zipped, \
                tarfile.open(fileobj=zipped, mode="w") as archive:
            archive.add(os.path.realpath(source), arcname=inside, filter=normal)
        sums[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return sums


# ----------------------------------------------------------------------------------------------- PKI

def _pki(directory: Path) -> None:
    """CA, apiserver serving cert, admin client cert (system:masters), service-account key pair."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def write_key(name, key):
        path = directory / name
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)

    def cert(subject, key, issuer, issuer_key, *, ca=False, sans=(), usage=None):
        name = x509.Name([x509.NameAttribute(oid, value) for oid, value in subject])
        builder = (x509.CertificateBuilder().subject_name(name)
                   .issuer_name(issuer.subject if issuer else name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=365))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False), critical=True)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
        return builder.sign(issuer_key or key, hashes.SHA256())

    def pem(name, certificate):
        (directory / name).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = cert([(NameOID.COMMON_NAME, "thebot-testbed-ca")], ca_key, None, None, ca=True)
    write_key("ca.key", ca_key)
    pem("ca.crt", ca)

    service_ip = next(ipaddress.ip_network(SERVICE_CIDR).hosts())
    dns = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
           "kubernetes.default.svc.cluster.local"]
    sans = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                             x509.IPAddress(service_ip)]
    server_key = ec.generate_private_key(ec.SECP256R1())
    write_key("apiserver.key", server_key)
    pem("apiserver.crt", cert([(NameOID.COMMON_NAME, "kube-apiserver")], server_key, ca, ca_key,
                              sans=sans, usage=[ExtendedKeyUsageOID.SERVER_AUTH]))

    admin_key = ec.generate_private_key(ec.SECP256R1())
    write_key("admin.key", admin_key)
    pem("admin.crt", cert([(NameOID.ORGANIZATION_NAME, "system:masters"), (NameOID.COMMON_NAME, "admin")],
                          admin_key, ca, ca_key, usage=[ExtendedKeyUsageOID.CLIENT_AUTH]))

    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_key("sa.key", sa_key)
    (directory / "sa.pub").write_bytes(sa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


# ------------------------------------------------------------------------------------------- cluster

WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
# The user agents of the cluster's own writers (each followed by "/<version>").
CLUSTER_AGENTS = ("kube-controller-manager/", "kube-scheduler/", "kube-apiserver/", "kwok/")
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
PORTS = ("etcd_client", "etcd_peer", "apiserver", "controller_manager", "scheduler", "kwok")


# A component's port must stay its own while the component is stopped (a fault test restarts it on the same data and
# port). A port from the kernel's ephemeral range can be taken in that gap by any outgoing connection on the machine
# (CI once: the restarted etcd's "bind: address already in use"), so the ports come from just below that range, where
# the kernel never picks one by itself, and a registry shared by every test bed of the machine (whatever its HOME)
# keeps two clusters from being given the same one.
PORT_SPAN = 8192
PORT_REGISTRY = Path(os.environ.get("THEBOT_TESTBED_PORT_REGISTRY",
                                    Path(tempfile.gettempdir()) / "thebot-testbed-ports.json"))


def ephemeral_range() -> tuple:
    """The kernel's range for ports it picks by itself (bind to 0, an outgoing connection)."""
    try:
        low, high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return low, high


def port_pool() -> range:
    """The ports the test bed gives its components: below the ephemeral range, or above it where no room is below."""
    low, high = ephemeral_range()
    if low - PORT_SPAN >= 1024:
        return range(low - PORT_SPAN, low)
    if 65535 - high >= PORT_SPAN // 8:
        return range(high + 1, 65536)
    raise TestbedError(f"no ports outside the ephemeral range {low}-{high} (net.ipv4.ip_local_port_range): "
                       f"narrow it to leave {PORT_SPAN} ports below it")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _registry_update(change) -> object:
    """Run change(registry) under the machine-wide lock; the registry maps port -> the cluster.json that holds it.
    Entries of clusters that are gone (removed, or a run killed before down) are dropped first."""
    with open(PORT_REGISTRY.with_name(PORT_REGISTRY.name + ".lock"), "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            registry = json.loads(PORT_REGISTRY.read_text()) if PORT_REGISTRY.exists() else {}
        except ValueError:
            registry = {}
        live = {}
        for port, owner in registry.items():
            try:
                held = json.loads(Path(owner).read_text()).get("ports", {}).values()
            except (OSError, ValueError):
                continue
            if int(port) in held:
                live[port] = owner
        result = change(live)
        tmp = PORT_REGISTRY.with_name(PORT_REGISTRY.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(live, indent=2, sort_keys=True))
        os.replace(tmp, PORT_REGISTRY)
        return result


def allocate_ports(owner: Path, count: int, record) -> list:
    """count ports of the pool that no other test bed holds and nothing listens on, registered to owner (a
    cluster.json path) and given to record(ports), which must write them into owner before the lock is let go (the
    registry drops a port its owner does not hold). The search starts at a point given by the owner, so clusters
    rarely probe the same ports."""
    pool = port_pool()

    def take(registry: dict) -> list:
        start = int(hashlib.sha256(str(owner).encode()).hexdigest(), 16) % len(pool)
        chosen = []
        for offset in range(len(pool)):
            port = pool[(start + offset) % len(pool)]
            if str(port) not in registry and _bindable(port):
                chosen.append(port)
                if len(chosen) == count:
                    break
        if len(chosen) < count:
            raise TestbedError(f"fewer than {count} free ports in {pool.start}-{pool.stop - 1}: "
                               f"{len(registry)} held by test beds ({PORT_REGISTRY})")
        for port in chosen:
            registry[str(port)] = str(owner)
        record(chosen)
        return chosen

    return _registry_update(take)


def release_ports(owner: Path) -> None:
    def drop(registry: dict) -> None:
        for port in [port for port, holder in registry.items() if holder == str(owner)]:
            del registry[port]

    _registry_update(drop)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# Errors the components log on every healthy test bed: kwok's pod-delete stage racing the deletion it asked for;
# the apiserver's own Endpoints on loopback; the client CA of an aggregation layer the test bed does not run.
BENIGN_LOG_ERRORS = ("not found", "may not be in the loopback range", "missing content for CA bundle")


class Cluster:
    def __init__(self, name: str):
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?", name):
            raise TestbedError(f"cluster name {name!r}: use lower-case letters, digits and '-' (at most 32)")
        self.name = name
        self.dir = HOME / "clusters" / name
        self.state_file = self.dir / "cluster.json"
        self.kubeconfig = self.dir / "kubeconfig"

    # -- state
    def load(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def save(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
        os.replace(tmp, self.state_file)

    def _init(self) -> dict:
        state = self.load()
        if state:
            return state
        self.dir.mkdir(parents=True, exist_ok=True)
        _pki(self.dir / "pki")
        state = {"name": self.name, "pids": {}}

        def record(ports: list) -> None:
            state["ports"] = dict(zip(PORTS, sorted(ports)))
            self.save(state)

        allocate_ports(self.state_file, len(PORTS), record)
        self._write_kubeconfig(state)
        self._write_kwok_config()
        return state

    def _write_kubeconfig(self, state: dict) -> None:
        pki = self.dir / "pki"
        server = f"https://127.0.0.1:{state['ports']['apiserver']}"
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": f"testbed-{self.name}",
            "clusters": [{"name": f"testbed-{self.name}",
                          "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}],
            "users": [{"name": "admin", "user": {"client-certificate": str(pki / "admin.crt"),
                                                 "client-key": str(pki / "admin.key")}}],
            "contexts": [{"name": f"testbed-{self.name}",
                          "context": {"cluster": f"testbed-{self.name}", "user": "admin"}}],
        }
        # JSON is YAML: no YAML library is needed before the virtualenv exists.
        self.kubeconfig.write_text(json.dumps(config, indent=2))
        self.kubeconfig.chmod(0o600)

    def _write_audit_policy(self) -> None:
        """Writes only, metadata only (no bodies, so no credentials), and not the nodes' heartbeats."""
        policy = {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["RequestReceived"],
                  "rules": [{"level": "None", "namespaces": ["kube-node-lease"]},
                            {"level": "Metadata", "verbs": list(WRITE_VERBS)},
                            {"level": "None"}]}
        (self.dir / "audit-policy.yaml").write_text(json.dumps(policy, indent=2))

    def writes(self, since: str) -> list:
        """Audit events of writes received at or after `since` (RFC 3339, UTC) by anyone but the cluster's
        own components (controllers, scheduler, kwok): what a client such as ansible or helm wrote.
        A server-side dry run (dryRun=All, what check mode sends) is validated and admitted, never stored:
        no write."""
        events = []
        for log in sorted(self.dir.glob("audit*.log")):
            for line in log.read_text(errors="replace").splitlines():
                event = json.loads(line)
                if event["requestReceivedTimestamp"] >= since and event["verb"] in WRITE_VERBS and \
                        "dryRun=All" not in event.get("requestURI", "") and \
                        not event.get("userAgent", "").startswith(CLUSTER_AGENTS):
                    events.append(event)
        return events

    def _write_kwok_config(self) -> None:
        """kwok standalone has no stages built in: take upstream's from the module cache.

        Upstream's volume stages bind only the class "kwok-volume"; ours bind any PVC whose class
        names the kwok provisioner (kube-controller-manager's PV controller puts that annotation on
        the claim), so a claim naming a class that does not exist stays Pending, as on a real cluster.
        """
        kwok = next(t for t in TOOLS if t.module_dir == "kwok")
        stages = _go_dir(kwok, kwok.module) / "kustomize" / "stage"
        files = ["node/fast/node-initialize.yaml", "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
                 "pod/fast/pod-ready.yaml", "pod/fast/pod-complete.yaml", "pod/fast/pod-delete.yaml",
                 # A pod labelled pod-container-running-failed.stage.kwok.x-k8s.io=true exits 1 (FAILING_POD_LABEL).
                 "pod/chaos/pod-container-running-failed.yaml",
                 "volume/fast/pvc-provision.yaml", "volume/fast/pv-bind.yaml",
                 "volume/fast/pv-delete.yaml", "volume/fast/pvc-delete.yaml"]
        by_annotation = ("has(self.metadata.annotations) && "
                         "'volume.kubernetes.io/storage-provisioner' in self.metadata.annotations && "
                         f"self.metadata.annotations['volume.kubernetes.io/storage-provisioner'] == '{KWOK_PROVISIONER}'")
        pv_by_annotation = by_annotation.replace("volume.kubernetes.io/storage-provisioner",
                                                 "pv.kubernetes.io/provisioned-by")
        docs = []
        for relative in files:
            text = (stages / relative).read_text()
            if relative.startswith("volume/"):
                selector = "self.spec.storageClassName == 'kwok-volume'"
                if selector not in text:
                    raise TestbedError(f"kwok stage {relative} changed upstream: review the storage selector")
                text = text.replace(selector, pv_by_annotation if "/pv-" in relative else by_annotation)
            docs.append(text.strip())
        # Ours, for what a kubelet does and upstream's stages do not (each file says what).
        docs += [path.read_text().strip() for path in sorted((HERE / "stages").glob("*.yaml"))]
        (self.dir / "kwok.yaml").write_text("\n---\n".join(docs) + "\n")

    # -- processes
    def _command(self, component: str, state: dict) -> list:
        ports, pki, data = state["ports"], self.dir / "pki", self.dir
        kubeconfig = str(self.kubeconfig)
        serving = ["--bind-address=127.0.0.1", f"--authentication-kubeconfig={kubeconfig}",
                   f"--authorization-kubeconfig={kubeconfig}", f"--kubeconfig={kubeconfig}", "--leader-elect=false"]
        if component == "etcd":
            peer = f"http://127.0.0.1:{ports['etcd_peer']}"
            client = f"http://127.0.0.1:{ports['etcd_client']}"
            return [binary("etcd"), f"--name={self.name}", f"--data-dir={data / 'etcd'}",
                    f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
                    f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
                    f"--initial-cluster={self.name}={peer}", "--unsafe-no-fsync", "--quota-backend-bytes=4294967296",
                    "--log-level=warn"]
        if component == "kube-apiserver":
            return [binary("kube-apiserver"), f"--etcd-servers=http://127.0.0.1:{ports['etcd_client']}",
                    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={ports['apiserver']}",
                    f"--tls-cert-file={pki / 'apiserver.crt'}", f"--tls-private-key-file={pki / 'apiserver.key'}",
                    f"--client-ca-file={pki / 'ca.crt'}",
                    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                    f"--service-account-key-file={pki / 'sa.pub'}",
                    f"--service-account-signing-key-file={pki / 'sa.key'}",
                    f"--service-cluster-ip-range={SERVICE_CIDR}", "--authorization-mode=RBAC",
                    # As kubeadm and kind do: privileged pods are allowed by the server, so that
                    # Pod Security Admission (per namespace) is what refuses them, as in production.
                    "--allow-privileged=true", "--v=0",
                    # Every write, with who made it (writes()): how tests prove a run wrote nothing.
                    f"--audit-policy-file={self.dir / 'audit-policy.yaml'}", f"--audit-log-path={self.dir / 'audit.log'}",
                    "--audit-log-maxsize=200", "--audit-log-maxbackup=1"]
        if component == "kube-controller-manager":
            return [binary("kube-controller-manager"), *serving, f"--secure-port={ports['controller_manager']}",
                    f"--service-account-private-key-file={pki / 'sa.key'}", f"--root-ca-file={pki / 'ca.crt'}",
                    f"--cluster-signing-cert-file={pki / 'ca.crt'}", f"--cluster-signing-key-file={pki / 'ca.key'}",
                    # Each controller acts as its own service account, so RBAC applies as on a real cluster.
                    "--use-service-account-credentials=true", f"--service-cluster-ip-range={SERVICE_CIDR}",
                    "--v=0"]
        if component == "kube-scheduler":
            return [binary("kube-scheduler"), *serving, f"--secure-port={ports['scheduler']}", "--v=0"]
        if component == "kwok":
            return [binary("kwok"), f"--kubeconfig={kubeconfig}", f"--config={self.dir / 'kwok.yaml'}",
                    "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                    f"--server-address=127.0.0.1:{ports['kwok']}", "--node-ip=127.0.0.1",
                    # Renew node Leases as a kubelet does: the heartbeat-with-lease stage updates node
                    # status only every 10 minutes and counts on them, else nodes flap to NotReady.
                    "--node-lease-duration-seconds=40", "--v=WARN"]
        raise TestbedError(f"unknown component {component!r}: one of {', '.join(COMPONENTS)}")

    @staticmethod
    def _start_time(pid: int) -> str | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        except (OSError, IndexError):
            return None

    def alive(self, state: dict, component: str) -> int | None:
        """The PID of the component if the process we started is still that process."""
        entry = state.get("pids", {}).get(component)
        if not entry:
            return None
        pid, started = entry
        if self._start_time(pid) != started:
            return None  # gone, or the PID now belongs to another process
        stat = Path(f"/proc/{pid}/stat").read_text()
        return None if stat.rsplit(")", 1)[1].split()[0] == "Z" else pid

    def _start(self, component: str, state: dict) -> None:
        if component == "kwok":
            # Where a kwok ran before (a new cluster has no Lease yet): the new one's identity is new (hostname
            # and a random UUID), so the nodes' Leases the last one held would keep it from managing them until
            # they expire (40 s), where a restarted kubelet, whose identity is its node, carries on at once.
            self.kubectl("delete", "lease", "-n", "kube-node-lease", "--ignore-not-found", *NODE_NAMES, check=False)
        log = open(self.dir / f"{component}.log", "ab")
        proc = subprocess.Popen(self._command(component, state), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.dir)
        log.close()
        state["pids"][component] = [proc.pid, self._start_time(proc.pid)]
        self.save(state)

    def _ssl(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.dir / "pki" / "ca.crt"))
        context.load_cert_chain(self.dir / "pki" / "admin.crt", self.dir / "pki" / "admin.key")
        return context

    def get(self, path: str, port: int | None = None, timeout: float = 3) -> tuple:
        port = port or self.load()["ports"]["apiserver"]
        context = self._ssl()
        if port != self.load()["ports"]["apiserver"]:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # components serve self-signed certs on loopback
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context, timeout=timeout) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (OSError, ssl.SSLError) as error:
            return None, str(error)

    def health(self, component: str, state: dict) -> bool:
        ports = state["ports"]
        if component == "etcd":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports['etcd_client']}/health", timeout=3) as resp:
                    return json.loads(resp.read()).get("health") == "true"
            except (OSError, ValueError):
                return False
        paths = {"kube-apiserver": ("/readyz", ports["apiserver"]),
                 "kube-controller-manager": ("/healthz", ports["controller_manager"]),
                 "kube-scheduler": ("/healthz", ports["scheduler"])}
        if component in paths:
            path, port = paths[component]
            return self.get(path, port)[0] == 200
        if component == "kwok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports['kwok']}/healthz", timeout=3) as resp:
                    return resp.status == 200
            except OSError:
                return False
        return False

    def _wait(self, what: str, check, timeout: float, log: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.25)
        hint = ""
        if log and (self.dir / log).exists():
            tail = (self.dir / log).read_text(errors="replace").splitlines()[-15:]
            hint = "\n  last lines of " + str(self.dir / log) + ":\n    " + "\n    ".join(tail)
        raise TestbedError(f"{what} not ready after {timeout:.0f}s{hint}")

    def up(self) -> Path:
        # One up at a time on this machine (pytest's workers start clusters together): the ports a new cluster
        # takes are free when chosen, not yet bound, and a cold build must not run twice into the same folder.
        (HOME / "clusters").mkdir(parents=True, exist_ok=True)
        with open(HOME / "clusters" / ".up.lock", "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            build()
            state = self._init()
            self._write_audit_policy()
            self._run(state)
        self._seed()
        return self.kubeconfig

    def _run(self, state: dict, hung_after: float | None = None) -> list:
        """Start each component that is down, in order (kube-apiserver is only healthy once etcd is), and wait
        for it; with hung_after, also restart one alive but not healthy within that many seconds, as a stopped
        process is (a plain wait would never end). Returns the notes of those restarts."""
        restarted = []
        for component in COMPONENTS:
            if self.alive(state, component) is None:
                self._start(component, state)
            elif hung_after is not None and not self._healthy_within(component, state, hung_after):
                restarted.append(f"{component} (alive, but no health check passed within {hung_after:.0f} s)")
                self.stop(component, state, kill=True)
                self._start(component, state)
            self._wait(f"{component} of cluster {self.name}",
                       lambda c=component: self.alive(state, c) is not None and self.health(c, state),
                       120, log=f"{component}.log")
        return restarted

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([binary("kubectl"), f"--kubeconfig={self.kubeconfig}", *args], input=stdin,
                                capture_output=True, text=True, check=False)
        if check and result.returncode:
            raise TestbedError(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def _seed(self) -> None:
        """Objects every cluster of ours has: fake nodes, storage classes; then wait for service accounts."""
        docs = []
        for index, node in enumerate(NODE_NAMES):
            docs.append({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": node, "annotations": {"kwok.x-k8s.io/node": "fake"},
                             "labels": {"type": "kwok", "kubernetes.io/hostname": node,
                                        "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                                        "topology.kubernetes.io/zone": f"zone-{index % 3}"}},
                # ephemeral-storage as a kubelet reports its disk: the chart requests some for every container.
                "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "ephemeral-storage": "500Gi", "pods": "110"},
                           "capacity": {"cpu": "32", "memory": "128Gi", "ephemeral-storage": "500Gi", "pods": "110"}},
            })
        for name in STORAGE_CLASSES:
            annotations = {"storageclass.kubernetes.io/is-default-class": str(name == DEFAULT_STORAGE_CLASS).lower()}
            docs.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                         "metadata": {"name": name, "annotations": annotations},
                         "provisioner": KWOK_PROVISIONER, "reclaimPolicy": "Delete",
                         "volumeBindingMode": "Immediate", "allowVolumeExpansion": True})
        self.kubectl("apply", "--server-side", "--field-manager=thebot-testbed", "-f", "-",
                     stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
        self._wait("the default service account (kube-controller-manager)",
                   lambda: self.kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0,
                   60, log="kube-controller-manager.log")
        self._wait("the fake nodes (kwok)",
                   lambda: self.kubectl("wait", "--for=condition=Ready", "node", "-l", "type=kwok", "--timeout=1s",
                                        check=False).returncode == 0, 60, log="kwok.log")

    def works(self, timeout: float = 60) -> bool:
        """Whether the cluster does what every deploy needs of it, not only whether each process answers its
        health check: a new pod is scheduled onto a fake node and kwok reports it Ready within `timeout`."""
        name = f"probe-{int(time.time() * 1000) % 10**9}"
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "default", "labels": {"app": "testbed-probe"}},
               "spec": {"nodeSelector": {"type": "kwok"}, "automountServiceAccountToken": False,
                        "containers": [{"name": "probe", "image": "testbed-probe:never-pulled"}]}}
        created = self.kubectl("create", "-f", "-", stdin=json.dumps(pod), check=False)
        try:
            return created.returncode == 0 and self.kubectl(
                "wait", "--for=condition=Ready", f"pod/{name}", "-n", "default", f"--timeout={int(timeout)}s",
                check=False).returncode == 0
        finally:
            self.kubectl("delete", "pod", name, "-n", "default", "--wait=false", "--ignore-not-found", check=False)

    def recover(self, probe_timeout: float = 30, hung_after: float = 30) -> list:
        """After a fault the tests made: restart what is hung, start what is down, then prove the cluster works
        (works()). Two ways a cluster of ours stops running pods after kube-apiserver is killed under load:
        - a component exits by itself: kube-scheduler does when it finds its cache corrupted ("Scheduler cache
          is corrupted", CI, 2026-11-28), expecting its kubelet to restart it; here nothing supervises it, so
          what is down is started again (and named) before any running component is blamed;
        - kwok 0.8 stops acting on pods while every process is up and healthy: pods given to it stay Pending
          for good (CI once: every later deploy timed out). A kubelet resyncs; kwok does not. Then kwok is
          restarted (the kubelets' stand-in), then the scheduler, then the controller-manager, probing after each.
        The fault under test is the API server's, not theirs. Returns what was restarted and why (with the
        cluster's state before), for the test to report; raises with a diagnosis if the cluster still fails."""
        restarted = self._run(self._init(), hung_after)
        suspects = ["kwok", "kube-scheduler", "kube-controller-manager"]
        restarts_of_exited = 0
        while not self.works(probe_timeout):
            state = self.load()
            exited = [c for c in COMPONENTS if self.alive(state, c) is None]
            if exited and restarts_of_exited < 3:  # one that keeps exiting is not repaired by starting it again
                restarts_of_exited += 1
                restarted.append(f"{', '.join(exited)} (had exited by itself; a probe pod was not Ready within "
                                 f"{probe_timeout:.0f} s; before the restart:\n{self.diagnose()})")
                self._run(state, hung_after)
                continue
            if not suspects:
                raise TestbedError(f"cluster {self.name} does not run a pod even with its controllers and kwok "
                                   f"restarted:\n{self.diagnose()}")
            component = suspects.pop(0)
            restarted.append(f"{component} (a probe pod was not Ready within {probe_timeout:.0f} s; before the "
                             f"restart:\n{self.diagnose()})")
            self.stop(component, kill=True)
            self.up()
        return restarted

    def _healthy_within(self, component: str, state: dict, timeout: float) -> bool:
        try:
            self._wait(component, lambda: self.health(component, state), timeout)
        except TestbedError:
            return False
        return True

    def diagnose(self) -> str:
        """What to read when the cluster does not do its job: each component, the nodes' readiness, taints and
        lease renewals, the pods not Ready, and the last errors each component logged."""
        lines = [f"{c}: pid {pid or 'none'}, {'healthy' if ok else 'NOT healthy'}" for c, pid, ok, _mib in self.status()]
        if self.load() and self.health("kube-apiserver", self.load()):
            for args in (("get", "nodes", "-o", "custom-columns=NODE:.metadata.name,READY:.status.conditions[?(@.type"
                          "=='Ready')].status,HEARTBEAT:.status.conditions[?(@.type=='Ready')].lastHeartbeatTime,"
                          "TAINTS:.spec.taints[*].key"),
                         ("get", "leases", "-n", "kube-node-lease",
                          "-o", "custom-columns=LEASE:.metadata.name,RENEWED:.spec.renewTime"),
                         ("get", "pods", "-A", "--field-selector=status.phase!=Succeeded", "-o",
                          "custom-columns=NS:.metadata.namespace,POD:.metadata.name,PHASE:.status.phase,"
                          "NODE:.spec.nodeName,READY:.status.conditions[?(@.type=='Ready')].status")):
                result = self.kubectl(*args, check=False)
                rows = (result.stdout or result.stderr).strip().splitlines()
                lines += rows[:1] + [row for row in rows[1:] if not row.rstrip().endswith("True")][:30]
        lines.append(f"now: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}")
        for component in COMPONENTS:
            log = self.dir / f"{component}.log"
            errors = [line for line in (log.read_text(errors="replace").splitlines() if log.exists() else [])
                      if ('"level":"ERROR"' in line or re.match(r"[EF]\d{4} ", line))
                      and not any(noise in line for noise in BENIGN_LOG_ERRORS)]
            lines += [f"last errors of {component}.log:"] + [f"  {line[:400]}" for line in errors[-5:]]
        return "\n".join(lines)

    def stop(self, component: str, state: dict | None = None, kill: bool = False) -> None:
        """Stop one component (SIGTERM, then SIGKILL after 20 s); kill: SIGKILL at once, as a crash does."""
        state = state or self.load()
        pid = self.alive(state, component)
        if pid is not None:
            os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
            deadline = time.monotonic() + 20
            while self.alive(state, component) is not None and time.monotonic() < deadline:
                time.sleep(0.1)
            if self.alive(state, component) is not None:
                os.killpg(pid, signal.SIGKILL)
                while self.alive(state, component) is not None:
                    time.sleep(0.1)
        state.get("pids", {}).pop(component, None)
        if state:
            self.save(state)

    def down(self) -> None:
        state = self.load()
        for component in reversed(COMPONENTS):
            self.stop(component, state)
        busy = [f"{name}={port}" for name, port in state.get("ports", {}).items() if port_in_use(port)]
        if busy:
            raise TestbedError(f"ports still listening after down: {', '.join(busy)}")
        release_ports(self.state_file)
        shutil.rmtree(self.dir, ignore_errors=True)

    def status(self) -> list:
        """(component, pid or None, healthy, resident memory in MiB) for each component."""
        state = self.load()
        rows = []
        for component in COMPONENTS:
            pid = self.alive(state, component) if state else None
            rows.append((component, pid, bool(pid) and self.health(component, state), _rss_mib(pid)))
        return rows


def _rss_mib(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ------------------------------------------------------------------------------------------ providers

# ------------------------------------------------------------------------------------------------ CLI

def _record(path: Path | None, provider: str, kubeconfig: Path, context: str, image_digests=None) -> None:
    """Where a started cluster is, for tools that reach it later (molecule's scenarios); on kind, the digest of
    each test image its node holds (tag -> sha256:...)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"provider": provider, "kubeconfig": str(kubeconfig), "context": context,
                                    "bin": str(HOME / "bin"), "helm_plugins": str(HOME / "helm-plugins"),
                                    "image_digests": image_digests or {}}, indent=2))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("command", choices=("build", "up", "down", "status", "stop", "env", "kubeconfig"))
    parser.add_argument("component", nargs="?", help="with stop: one of " + ", ".join(COMPONENTS))
    parser.add_argument("--name", default=DEFAULT_NAME, help="cluster name; several can run side by side")
    parser.add_argument("--provider", choices=("kwok", "kind"),
                        default=os.environ.get("THEBOT_TESTBED_PROVIDER", "kwok"))
    parser.add_argument("--kill", action="store_true", help="with stop: SIGKILL at once, as a crash does")
    parser.add_argument("--deploy-tools", action="store_true",
                        help="with build: only what a deploy to another cluster needs (" + ", ".join(DEPLOY_TOOLS) + ")")
    parser.add_argument("--record", type=Path, metavar="FILE",
                        help="with up: write where the cluster is (kubeconfig, context, tools) to FILE as JSON")
    args = parser.parse_args(argv)
    return cli("testbed", lambda: _command(args))


def _command(args) -> int:
    if args.provider == "kind":
        # Real containers: kindnode.py builds the node image here (or, with THEBOT_KIND_IMAGE, uses that one)
        sys.modules.setdefault("testbed", sys.modules[__name__])  # one TestbedError for both files
        import kindnode  # pylint: disable=import-outside-toplevel
        kind = kindnode.KindCluster(args.name)
        if args.command == "up":
            kubeconfig = kind.up()
            _record(args.record, "kind", kubeconfig, f"kind-{args.name}", kind.image_digests)
            print(kubeconfig)
        elif args.command == "down":
            kind.down()
        else:
            raise TestbedError(f"{args.command} is for the kwok provider; see kindnode.py for kind")
        return 0
    cluster = Cluster(args.name)
    if args.command == "build":
        print(build(DEPLOY_TOOLS if args.deploy_tools else ()))
    elif args.command == "up":
        kubeconfig = cluster.up()
        _record(args.record, "kwok", kubeconfig, f"testbed-{args.name}")
        print(kubeconfig)
    elif args.command == "kubeconfig":
        if not cluster.kubeconfig.exists():
            raise TestbedError(f"cluster {args.name} is not up: run 'testbed.py up --name {args.name}'")
        print(cluster.kubeconfig)
    elif args.command == "down":
        cluster.down()
        print(f"testbed: cluster {args.name} is down; its data is removed")
    elif args.command == "stop":
        if args.component not in COMPONENTS:
            raise TestbedError(f"stop needs a component: one of {', '.join(COMPONENTS)}")
        cluster.stop(args.component, kill=args.kill)
    elif args.command == "env":
        print(f"export PATH={HOME / 'bin'}:$PATH")
        print(f"export HELM_PLUGINS={HOME / 'helm-plugins'}")
        print(f"export KUBECONFIG={cluster.kubeconfig}")
    elif args.command == "status":
        rows = cluster.status()
        for component, pid, healthy, rss in rows:
            print(f"{component:24} {'pid ' + str(pid) if pid else 'stopped':12} "
                  f"{'healthy' if healthy else 'NOT healthy':12} {rss:7.0f} MiB")
        print(f"{'total':24} {'':12} {'':12} {sum(row[3] for row in rows):7.0f} MiB")
        return 0 if all(row[2] for row in rows) else 1
    return 0


def cli(prog: str, body) -> int:
    """body()'s exit code; an operator's failure (TestbedError, a command that failed) in one line, exit 2."""
    try:
        return body() or 0
    except TestbedError as error:
        print(f"{prog}: {error}", file=sys.stderr)
    except subprocess.CalledProcessError as error:
        print(f"{prog}: {' '.join(map(str, error.cmd))[:300]} exited {error.returncode}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
