"""Real containers for tests: a kind cluster whose node image is built here, from Debian packages and the
Go module proxy only (no container registry is reachable from these machines).

    kindnode.py build                 install the pinned Debian packages, build the binaries and every image
    kindnode.py up [--name N]         build what is missing, start dockerd, create the cluster, install its
                                      storage and NetworkPolicy engine, load the test fixtures; print the kubeconfig
    kindnode.py down [--name N]       delete the cluster; with none left, stop dockerd and remove every process,
                                      interface, iptables rule and image store it made (checked, not assumed)
    kindnode.py env [--name N]        shell exports: PATH, KUBECONFIG, HELM_PLUGINS, DOCKER_HOST

THEBOT_KIND_IMAGE=kindest/node:v1.36.3 (any image name) switches to the upstream route: the system's Docker
engine and kind, the named node image pulled by kind, and no local build; the chart must then be pointed at
a registry that serves THE_BOT's images.

What is built, each cached by version and pin fingerprint under $THEBOT_TESTBED_HOME/kind:
- three Debian bookworm root file systems made by debootstrap: the node's (systemd, containerd, runc, the CNI
  plugins: the packages of kind's base image), "network" (iptables, nft, conntrack, ipset: the base layer of
  the node's own images) and "userland" (Python with Django and Celery, PostgreSQL, Redis, nginx: the base
  layer of the fixtures);
- images written as docker archives by this file (no docker build, no registry): the control plane, etcd,
  CoreDNS, pause, kube-proxy, local-path-provisioner, kube-router, and the fixtures of tests/images;
- the node image: kind's base files from its module, Debian's binaries at the paths kind expects, the
  Go-built kubelet/kubeadm/kubectl, and the system images preloaded into its containerd.

Two facts of these VMs are handled here (see the repository's notes on real pods): no CAP_SYS_RESOURCE in
the bounding set (a runc wrapper strips it for dockerd; containerd clamps oom_score_adj in the node) and
cgroup v1 (kubelet is told not to refuse it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from testbed import _K8S_STAMPS, HOME, TOOLS, TestbedError, Tool, _go_dir, build, build_tool, cli  # noqa: E402

HERE = Path(__file__).resolve().parent
FILES = HERE / "kind"
FIXTURES = HERE.parent / "images"
KIND_HOME = HOME / "kind"
UPSTREAM_IMAGE = os.environ.get("THEBOT_KIND_IMAGE", "")

# Host packages, pinned: dockerd (with containerd and runc) and debootstrap. iptables comes with docker.io.
HOST_PACKAGES = {
    "docker.io": "20.10.24+dfsg1-1+deb12u1+b6",
    "debootstrap": "1.0.128+nmu2+deb12u2",
}
SUITE = "bookworm"
# The node: the packages kind's base image installs, with Debian's containerd, runc and CNI plugins in place
# of the ones kind builds from git.
NODE_PACKAGES = ("systemd", "systemd-sysv", "dbus", "conntrack", "iptables", "nftables", "iproute2", "ethtool",
                 "util-linux", "mount", "kmod", "libseccomp2", "pigz", "bash", "ca-certificates", "curl", "jq",
                 "procps", "containerd", "runc", "containernetworking-plugins")
# The base layer of the node's own images (kube-proxy, kube-router, local-path's helper): iptables, nft,
# conntrack, ipset.
NETWORK_PACKAGES = ("iptables", "nftables", "conntrack", "ipset", "kmod")
# The base layer of the fixtures: what THE_BOT's stand-ins run (Django, Celery, gunicorn, PostgreSQL 15,
# Redis 7, nginx). Separate from the node's, so changing a fixture never rebuilds the node image.
USERLAND_PACKAGES = ("procps", "python3", "python-is-python3", "python3-django", "python3-celery", "celery", "python3-redis",
                     "python3-psycopg2", "gunicorn", "postgresql-15", "redis-server", "redis-tools", "nginx-light")
# The uids the chart gives the official images (postgres:alpine 70, redis:alpine 999) and the apps (1000).
USERS = {"postgres": 70, "redis": 999, "app": 1000}

NODE_TOOLS = (
    Tool("kubernetes-node", "k8s.io/kubernetes",
         tuple((name, f"k8s.io/kubernetes/cmd/{name}") for name in ("kubelet", "kubeadm", "kube-proxy")),
         _K8S_STAMPS),
    Tool("coredns", "github.com/coredns/coredns", (("coredns", "github.com/coredns/coredns"),)),
    Tool("kind", "sigs.k8s.io/kind", (("kind", "sigs.k8s.io/kind"),)),
    Tool("local-path-provisioner", "github.com/rancher/local-path-provisioner",
         (("local-path-provisioner", "github.com/rancher/local-path-provisioner"),)),
    Tool("kube-router", "github.com/cloudnativelabs/kube-router/v2",
         (("kube-router", "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"),)),
)
CONTROL_PLANE = TOOLS[0]  # the test bed's kube-apiserver, kube-controller-manager, kube-scheduler, kubectl

# Addresses: dockerd's own ranges (10.25x), a kind network made here without masquerading.
DOCKER_BIP = "10.250.0.1/24"
DOCKER_POOL = "base=10.251.0.0/16,size=24"
KIND_NETWORK_SUBNET = "10.252.0.0/24"
POD_SUBNET = "10.244.0.0/16"
SERVICE_SUBNET = "10.96.0.0/16"


def log(message: str) -> None:
    print(f"kindnode: {message}", file=sys.stderr, flush=True)


def run(*argv, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(arg) for arg in argv], check=check, **kwargs)


def digest(*parts) -> str:
    """A fingerprint of strings and files (folders: every file under them, by path and content)."""
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            paths = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
            for path in paths:
                sha.update(str(path.relative_to(part) if part.is_dir() else path.name).encode())
                sha.update(path.read_bytes())
        else:
            sha.update(str(part).encode())
        sha.update(b"\0")
    return sha.hexdigest()[:12]


def k8s_version() -> str:
    return CONTROL_PLANE.version()


# ------------------------------------------------------------------------------------ host packages

def host_packages() -> None:
    """Install the pinned Debian packages that are missing or at another version (needs root)."""
    wrong = []
    for package, version in HOST_PACKAGES.items():
        have = run("dpkg-query", "-W", "-f=${Version}", package, capture_output=True, text=True, check=False)
        if have.returncode or have.stdout != version:
            wrong.append(f"{package}={version}")
    if not wrong:
        return
    if os.geteuid() != 0:
        raise TestbedError(f"these Debian packages are needed, as root: apt-get install {' '.join(wrong)}")
    log(f"installing {' '.join(wrong)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *wrong, env=env, stdout=subprocess.DEVNULL)


def debian_mirror() -> str:
    """The mirror this machine's apt uses (debootstrap takes the same)."""
    for source in sorted(Path("/etc/apt").glob("sources.list.d/*.sources")):
        match = re.search(r"^URIs:\s*(\S+)", source.read_text(), re.M)
        if match and "security" not in match.group(1):
            return match.group(1)
    listing = Path("/etc/apt/sources.list")
    match = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", listing.read_text() if listing.exists() else "", re.M)
    if match:
        return match.group(1)
    raise TestbedError(f"no Debian {SUITE} mirror in /etc/apt: debootstrap needs one")


# ------------------------------------------------------------------------------------------ root fs

def rootfs_path(name: str, packages: tuple) -> Path:
    path = KIND_HOME / "rootfs" / f"{name}-{digest(SUITE, *packages)}"
    USED.add(path)
    return path


def rootfs(name: str, packages: tuple) -> Path:
    """A debootstrap of SUITE with packages, cached by its package list; the .deb files are kept for the next."""
    target = rootfs_path(name, packages)
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    debs = KIND_HOME / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log(f"debootstrap {name} ({len(packages)} packages)")
    logfile = KIND_HOME / "logs" / f"debootstrap-{name}.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with logfile.open("w") as out:
        result = run("debootstrap", "--variant=minbase", f"--cache-dir={debs}", f"--include={','.join(packages)}",
                     SUITE, target, debian_mirror(), stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode:
        raise TestbedError(f"debootstrap {name} failed (exit {result.returncode}): see {logfile}")
    _slim(target)
    versions = run("chroot", target, "dpkg-query", "-W", "-f=${Package} ${Version}\n",
                   capture_output=True, text=True).stdout
    (target / ".packages").write_text(versions)
    (target / ".complete").touch()
    log(f"debootstrap {name}: {time.monotonic() - started:.0f}s")
    return target


def _slim(target: Path) -> None:
    """Drop what no test reads: downloaded .debs, apt lists, documentation, manuals, translations."""
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale"):
        for path in (target / junk).glob("*"):
            if path.is_dir() and not path.is_symlink():
                if junk.startswith("usr/share"):
                    shutil.rmtree(path)
            elif path.name not in ("lock", "partial"):
                path.unlink()


# ---------------------------------------------------------------------------------- image archives

# What the current build uses (layers, archives, root file systems); _prune removes the rest.
USED: set = set()


@dataclass
class Layer:
    """A tar of a folder, reproducible (sorted, numeric owners, mtime 0), with its sha256 (the diff id)."""
    path: Path
    sha256: str

    @classmethod
    def of(cls, name: str, source: Path, key: str) -> "Layer":
        path = KIND_HOME / "layers" / f"{name}-{key}.tar"
        sums = path.with_suffix(".sha256")
        if not sums.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            run("tar", "--numeric-owner", "--sort=name", "--mtime=@0", "--exclude=./.complete",
                "--exclude=./.packages", "-C", source, "-cf", tmp, ".")
            sha = hashlib.sha256()
            with tmp.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    sha.update(block)
            os.replace(tmp, path)
            sums.write_text(sha.hexdigest())
        USED.add(path)
        return cls(path, sums.read_text().strip())


@dataclass
class Image:
    tags: tuple
    layers: list
    config: dict = field(default_factory=dict)

    def manifest(self) -> tuple:
        body = {"architecture": "amd64", "os": "linux", "config": self.config,
                "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer.sha256}" for layer in self.layers]},
                "history": [{"created_by": "tests/testbed/kindnode.py"} for layer in self.layers]}
        config = json.dumps(body, sort_keys=True).encode()
        return config, hashlib.sha256(config).hexdigest()


def write_archive(path: Path, images: list) -> Path:
    """A docker archive (what "docker save" writes; docker load, ctr import and kind load read it)."""
    USED.add(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    manifest, written = [], set()
    with tarfile.open(tmp, "w") as archive:
        for image in images:
            config, config_id = image.manifest()
            info = tarfile.TarInfo(f"{config_id}.json")
            info.size = len(config)
            archive.addfile(info, io.BytesIO(config))
            for layer in image.layers:
                if layer.sha256 not in written:
                    archive.add(layer.path, arcname=f"{layer.sha256}/layer.tar")
                    written.add(layer.sha256)
            manifest.append({"Config": f"{config_id}.json", "RepoTags": list(image.tags),
                             "Layers": [f"{layer.sha256}/layer.tar" for layer in image.layers]})
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    os.replace(tmp, path)
    return path


def folder_layer(name: str, build_folder, key: str) -> Layer:
    """A layer made by build_folder(path) into an empty folder, cached by key."""
    if (KIND_HOME / "layers" / f"{name}-{key}.sha256").exists():
        return Layer.of(name, Path("/nonexistent"), key)
    with tempfile.TemporaryDirectory(dir=KIND_HOME) as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        root.chmod(0o755)
        build_folder(root)
        return Layer.of(name, root, key)


def binary_layer(name: str, binary: Path, destination: str) -> Layer:
    """A static binary at destination, with /etc/passwd, /etc/group and /tmp around it."""
    def fill(root: Path) -> None:
        (root / "etc").mkdir()
        (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/sbin/nologin\n"
                                             "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n")
        (root / "etc" / "group").write_text("root:x:0:\nnobody:x:65534:\n")
        (root / "tmp").mkdir(mode=0o1777)
        (root / "tmp").chmod(0o1777)
        target = root / destination.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(binary, target)
        target.chmod(0o755)
    return folder_layer(name, fill, digest(binary.resolve(), destination))


# --------------------------------------------------------------------------------------- the images

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def network_layer() -> Layer:
    base = rootfs("network", NETWORK_PACKAGES)
    return Layer.of("network", base, base.name)


def userland_layer() -> Layer:
    base = rootfs("userland", USERLAND_PACKAGES)
    key = digest(base.name, json.dumps(USERS))
    if not (KIND_HOME / "layers" / f"userland-{key}.sha256").exists():
        # the fixtures' users at the uids the chart sets (Debian gives postgres and redis dynamic ones)
        passwd = [line for line in (base / "etc/passwd").read_text().splitlines()
                  if line.split(":")[0] not in USERS]
        group = [line for line in (base / "etc/group").read_text().splitlines() if line.split(":")[0] not in USERS]
        for user, uid in USERS.items():
            passwd.append(f"{user}:x:{uid}:{uid}::/tmp:/usr/sbin/nologin")
            group.append(f"{user}:x:{uid}:")
        (base / "etc/passwd").write_text("\n".join(passwd) + "\n")
        (base / "etc/group").write_text("\n".join(group) + "\n")
    return Layer.of("userland", base, key)


def tool_binary(tool: Tool, name: str) -> Path:
    return build_tool(tool) / name


def system_images(kubeadm: Path) -> list:
    """The images kubeadm asks for (by its own list), and the cluster's add-ons."""
    wanted = run(kubeadm, "config", "images", "list", f"--kubernetes-version={k8s_version()}",
                 capture_output=True, text=True).stdout.split()
    by_name = {ref.rsplit(":", 1)[0].rsplit("/", 1)[-1]: ref for ref in wanted}
    control = build_tool(CONTROL_PLANE)
    etcd = build_tool(TOOLS[1]) / "etcd"  # the test bed's
    network = network_layer()
    images = []
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        images.append(Image((by_name[name],), [binary_layer(name, control / name, f"/usr/local/bin/{name}")],
                            {"Env": [PATH_ENV], "Entrypoint": [f"/usr/local/bin/{name}"]}))
    # etcd: the test bed's pinned release under the tag kubeadm asks for (it only checks the name)
    images.append(Image((by_name["etcd"],), [binary_layer("etcd", etcd, "/usr/local/bin/etcd")],
                        {"Env": [PATH_ENV], "Entrypoint": ["/usr/local/bin/etcd"]}))
    # The upstream image runs as a non-root user with a file capability to bind port 53; this one runs as
    # root instead, which kubeadm's Deployment narrows to that capability alone (drop ALL, add NET_BIND_SERVICE).
    images.append(Image((by_name["coredns"],),
                        [binary_layer("coredns", tool_binary(NODE_TOOLS[1], "coredns"), "/coredns")],
                        {"Env": [PATH_ENV], "Entrypoint": ["/coredns"]}))
    images.append(Image((by_name["kube-proxy"],),
                        [network, binary_layer("kube-proxy", tool_binary(NODE_TOOLS[0], "kube-proxy"),
                                               "/usr/local/bin/kube-proxy")],
                        {"Env": [PATH_ENV]}))
    # kind's containerd config pins pause:3.10 for sandboxes; kubeadm may name a later patch
    images.append(Image(tuple(sorted({by_name["pause"], "registry.k8s.io/pause:3.10"})),
                        [binary_layer("pause", pause_binary(), "/pause")],
                        {"Entrypoint": ["/pause"], "User": "65535:65535"}))
    images.append(Image(("localhost/local-path-provisioner:" + NODE_TOOLS[3].version(),),
                        [binary_layer("local-path-provisioner", tool_binary(NODE_TOOLS[3], "local-path-provisioner"),
                                      "/usr/local/bin/local-path-provisioner")],
                        {"Env": [PATH_ENV]}))
    images.append(Image(("localhost/kube-router:" + NODE_TOOLS[4].version(),),
                        [network, binary_layer("kube-router", tool_binary(NODE_TOOLS[4], "kube-router"),
                                               "/usr/local/bin/kube-router")],
                        {"Env": [PATH_ENV], "Entrypoint": ["/usr/local/bin/kube-router"]}))
    # local-path-provisioner's helper pod (mkdir/rm of a volume's folder): any image with a shell
    images.append(Image((helper_image_ref(),), [network], {"Env": [PATH_ENV]}))
    return images


def pause_binary() -> Path:
    """pause, compiled statically from the kubernetes module's source (what the upstream image holds)."""
    source = _go_dir(NODE_TOOLS[0], "k8s.io/kubernetes") / "build" / "pause" / "linux" / "pause.c"
    out = KIND_HOME / "bin" / f"pause-{digest(source)}"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        run("gcc", "-Os", "-static", "-o", out.with_suffix(".tmp"), source)
        run("strip", out.with_suffix(".tmp"))
        os.replace(out.with_suffix(".tmp"), out)
    return out


def helper_image_ref() -> str:
    return "localhost/local-path-helper:" + network_layer().sha256[:12]


def fixture_images() -> list:
    """tests/images: THE_BOT's stand-ins (images.json says which folders make which image and tags)."""
    spec = json.loads((FIXTURES / "images.json").read_text())
    userland = userland_layer()
    images = []
    for image in spec["images"]:
        layers = [userland]
        for folder in image["layers"]:
            source = FIXTURES / folder
            layers.append(folder_layer(folder.replace("/", "-"), lambda root, s=source: _copy_tree(s, root),
                                       digest(source)))
        env = image.get("env", [])
        config = {"Env": [*([] if any(e.startswith("PATH=") for e in env) else [PATH_ENV]), *env],
                  **image.get("config", {})}
        images.append(Image(tuple(image["tags"]), layers, config))
    return images


def _copy_tree(source: Path, root: Path) -> None:
    """A fixture folder holds the image's files from / (tests/images/<x>/app/... lands in /app/...)."""
    shutil.copytree(source, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


# ---------------------------------------------------------------------------------------- node image

def node_image() -> tuple:
    """(reference, archive) of the node image, built if missing."""
    kubeadm = tool_binary(NODE_TOOLS[0], "kubeadm")
    system = system_images(kubeadm)
    kind_dir = _go_dir(NODE_TOOLS[2], "sigs.k8s.io/kind") / "images" / "base" / "files"
    key = digest(k8s_version(), *NODE_PACKAGES, kind_dir, FILES, build_tool(NODE_TOOLS[0]).name,
                 build_tool(CONTROL_PLANE).name,
                 *[image.manifest()[1] for image in system])
    ref = f"localhost/thebot-kind-node:{k8s_version()}-{key}"
    archive = KIND_HOME / "images" / f"node-{key}.tar"
    USED.add(archive)
    rootfs_path("node", NODE_PACKAGES)  # kept for the next rebuild, even when this one needs no rebuild
    if archive.exists():
        return ref, archive
    started = time.monotonic()
    system_archive = write_archive(KIND_HOME / "images" / f"system-{key}.tar", system)
    base = rootfs("node", NODE_PACKAGES)
    work = Path(tempfile.mkdtemp(prefix="node-", dir=KIND_HOME))
    try:
        root = work / "root"
        log("assembling the node root file system")
        root.mkdir()
        run("cp", "-a", f"{base}/.", root)
        _assemble_node(root, kind_dir, kubeadm)
        _preload(root, system_archive)
        layer = Layer.of("node", root, key)
        image = Image((ref,), [layer], {"Env": [PATH_ENV, "container=docker"],
                                        "Entrypoint": ["/usr/local/bin/entrypoint", "/sbin/init"],
                                        "StopSignal": "SIGRTMIN+3"})
        write_archive(archive, [image])
        layer.path.unlink()  # the archive holds it; the layer alone is 1.x GB more on disk
        layer.path.with_suffix(".sha256").unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    system_archive.unlink(missing_ok=True)
    log(f"node image {ref}: {time.monotonic() - started:.0f}s")
    return ref, archive


def _assemble_node(root: Path, kind_dir: Path, kubeadm: Path) -> None:
    """kind's base image, as its Dockerfile makes it, from Debian's packages instead of git builds."""
    def copy(source: Path, destination: Path, mode: int) -> None:
        destination.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            if item.is_file():
                shutil.copy2(item, destination / item.name)
                (destination / item.name).chmod(mode)
    copy(kind_dir / "usr/local/bin", root / "usr/local/bin", 0o755)
    copy(kind_dir / "kind", root / "kind", 0o644)
    copy(kind_dir / "kind/bin", root / "kind/bin", 0o755)
    copy(kind_dir / "LICENSES", root / "LICENSES", 0o644)
    copy(kind_dir / "etc", root / "etc", 0o644)
    for sub in ("containerd", "default", "sysctl.d", "systemd/system", "systemd/system/kubelet.service.d"):
        copy(kind_dir / "etc" / sub, root / "etc" / sub, 0o644)
    (root / "kind").chmod(0o755)
    (root / "kind/bin").chmod(0o755)
    # Debian's binaries where kind looks for its own
    links = {"usr/local/bin/containerd": "/usr/bin/containerd", "usr/local/bin/ctr": "/usr/bin/ctr",
             "usr/local/bin/containerd-shim-runc-v2": "/usr/bin/containerd-shim-runc-v2",
             "usr/local/sbin/runc": "/usr/sbin/runc"}
    (root / "opt/cni/bin").mkdir(parents=True, exist_ok=True)
    for plugin in (root / "usr/lib/cni").iterdir():
        links[f"opt/cni/bin/{plugin.name}"] = f"/usr/lib/cni/{plugin.name}"
    for link, target in links.items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        (root / link).unlink(missing_ok=True)
        (root / link).symlink_to(target)
    # the Dockerfile's RUN steps
    for pattern in ("lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service",
                    "lib/systemd/system/multi-user.target.wants/*", "etc/systemd/system/*.wants/*",
                    "lib/systemd/system/local-fs.target.wants/*", "lib/systemd/system/sockets.target.wants/*udev*",
                    "lib/systemd/system/sockets.target.wants/*initctl*", "lib/systemd/system/basic.target.wants/*"):
        for path in root.glob(pattern):
            path.unlink()
    with (root / "etc/systemd/journald.conf").open("a") as conf:
        conf.write("ReadKMsg=no\n")
    (root / "sbin/init").unlink(missing_ok=True)
    (root / "sbin/init").symlink_to("/usr/lib/systemd/systemd")
    run("systemctl", f"--root={root}", "enable", "kubelet.service", "containerd.service", "undo-mount-hacks.service",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("systemctl", f"--root={root}", "mask", "systemd-binfmt.service", stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    (root / "etc/kubernetes/manifests").mkdir(parents=True, exist_ok=True)
    spec = json.loads(run("chroot", root, "ctr", "oci", "spec", capture_output=True, text=True).stdout)
    spec.setdefault("hooks", {}).setdefault("createContainer", []).append({"path": "/kind/bin/mount-product-files.sh"})
    spec["process"].pop("rlimits", None)
    (root / "etc/containerd/cri-base.json").write_text(json.dumps(spec, indent=2))
    # This VM kind: no CAP_SYS_RESOURCE, so sandboxes may not lower oom_score_adj below the node's own.
    config = root / "etc/containerd/config.toml"
    config.write_text(config.read_text().replace("restrict_oom_score_adj = false", "restrict_oom_score_adj = true"))
    # The pod network, the kubelet's flags, the default CNI and storage manifests kind applies: tests/testbed/kind/
    (root / "etc/cni/net.d").mkdir(parents=True, exist_ok=True)
    shutil.copy2(FILES / "10-bridge.conflist", root / "etc/cni/net.d/10-bridge.conflist")
    shutil.copy2(FILES / "kubelet.default", root / "etc/default/kubelet")
    (root / "kind/manifests").mkdir(parents=True, exist_ok=True)
    shutil.copy2(FILES / "default-cni.yaml", root / "kind/manifests/default-cni.yaml")
    storage = (FILES / "default-storage.yaml").read_text()
    storage = storage.replace("@PROVISIONER_IMAGE@", f"localhost/local-path-provisioner:{NODE_TOOLS[3].version()}")
    storage = storage.replace("@HELPER_IMAGE@", helper_image_ref())
    (root / "kind/manifests/default-storage.yaml").write_text(storage)
    for name in ("kubelet", "kubeadm"):
        shutil.copy2(tool_binary(NODE_TOOLS[0], name), root / "usr/bin" / name)
    shutil.copy2(build_tool(CONTROL_PLANE) / "kubectl", root / "usr/bin/kubectl")
    (root / "kind/version").write_text(k8s_version())


def _preload(root: Path, archive: Path) -> None:
    """Import the system images into the node's containerd store, with a containerd of the same release."""
    state = Path(tempfile.mkdtemp(prefix="preload-", dir=KIND_HOME))
    config = state / "config.toml"
    config.write_text(f'version = 2\nroot = "{root}/var/lib/containerd"\nstate = "{state}/state"\n'
                      f'[grpc]\n  address = "{state}/containerd.sock"\n'
                      '[plugins."io.containerd.grpc.v1.cri"]\n  disable_tcp_service = true\n')
    with (state / "containerd.log").open("w") as out:
        daemon = subprocess.Popen(["containerd", "--config", str(config)], stdout=out, stderr=subprocess.STDOUT)
    try:
        ctr = ["ctr", "-a", f"{state}/containerd.sock", "-n", "k8s.io"]
        _wait_for(lambda: run(*ctr, "version", capture_output=True, check=False).returncode == 0, 20, "containerd")
        run(*ctr, "images", "import", "--no-unpack=false", archive, stdout=subprocess.DEVNULL)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(state, ignore_errors=True)


# The containers under test come before the tests that drive them: dockerd, and so containerd, the node and every pod
# in it, run at a niceness this much below the process that starts them (-5: five steps ahead). make test runs the
# scenarios beside the kwok suite and the offline tests on 2 cores, and a starved backend failed its readiness probe
# and left its Service (a lost read of failed-upgrade's reader, 2026-12-08, the test processes at nice 0 to 10).
CONTAINERS_NICENESS = -5


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TestbedError(f"{what} did not come up within {timeout:.0f}s")
        time.sleep(0.2)


def build_all() -> dict:
    """Everything `up` needs; returns where it is."""
    host_packages()
    bindir = build()  # the test bed's binaries: kubectl, helm, helm-diff, and the control plane
    for tool in NODE_TOOLS:
        build_tool(tool)
    kind_link = bindir / "kind"
    target = tool_binary(NODE_TOOLS[2], "kind")
    if not kind_link.is_symlink() or os.readlink(kind_link) != str(target):
        kind_link.unlink(missing_ok=True)
        kind_link.symlink_to(target)
    ref, archive = node_image()
    fixtures = write_archive(KIND_HOME / "images" / f"fixtures-{digest(FIXTURES, USERLAND_PACKAGES)}.tar",
                             fixture_images())
    _prune()
    return {"node_image": ref, "node_archive": archive, "fixtures": fixtures, "kind": kind_link}


def _prune() -> None:
    """Remove the cached layers, archives and root file systems this build did not use (older versions)."""
    for folder in ("layers", "images", "rootfs"):
        for path in (KIND_HOME / folder).glob("*"):
            if path.suffix in (".tar", ".sha256") and path.with_suffix(".tar") in USED:
                continue
            if path.is_dir() and path in USED:
                continue
            log(f"removing the unused {path.relative_to(KIND_HOME)}")
            shutil.rmtree(path) if path.is_dir() else path.unlink()


# -------------------------------------------------------------------------------------------- dockerd

class Docker:
    """dockerd as a plain process of this tool: its own socket, data root and exec root, started and
    stopped by PID. No masquerading anywhere, and a DOCKER-USER rule that drops forwarding out of the
    machine's uplinks, so nothing a test starts can reach past this machine."""

    def __init__(self):
        self.dir = KIND_HOME / "docker"
        self.socket = self.dir / "docker.sock"
        self.pidfile = self.dir / "dockerd.pid"
        self.before = self.dir / "host-before.json"
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{self.socket}")

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
            os.kill(pid, 0)
            return pid if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"dockerd") else None
        except (OSError, ValueError):
            return None

    def docker(self, *args, **kwargs) -> subprocess.CompletedProcess:
        return run("docker", *args, env=self.env, **kwargs)

    def start(self) -> None:
        if self.pid():
            return
        # Another HOME's test bed would share the bridge address and the iptables chains: whichever stops first
        # takes the chains the other still uses (seen 2026-11-29: "iptables: No chain/target/match by that name"
        # at the next kind create). Refused here, before anything is made.
        others = other_dockerds(self.dir / "data")
        if others:
            raise TestbedError("another test bed's dockerd runs on this machine ("
                               + "; ".join(f"PID {pid}, data root {root}" for pid, root in others)
                               + f"); two cannot share the bridge {DOCKER_BIP} and the iptables chains. Let its run "
                               "end, or stop it: kindnode.py down with that test bed's HOME")
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.before.exists():
            self.before.write_text(json.dumps(host_network_state(), indent=1))
        runc = self.dir / "runc-nosysresource"
        shutil.copy2(FILES / "runc-nosysresource", runc)
        runc.chmod(0o755)
        log("starting dockerd")
        with (self.dir / "dockerd.log").open("a") as out:
            process = subprocess.Popen(
                ["nice", "-n", str(CONTAINERS_NICENESS),
                 "dockerd", "--data-root", str(self.dir / "data"), "--exec-root", str(self.dir / "exec"),
                 "-H", f"unix://{self.socket}", "--pidfile", str(self.dir / "dockerd.pidfile"),
                 "--bip", DOCKER_BIP, "--default-address-pool", DOCKER_POOL, "--ip-masq=false",
                 "--storage-driver", "overlay2", "--add-runtime", f"nosysresource={runc}",
                 "--default-runtime", "nosysresource"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.pidfile.write_text(str(process.pid))
        _wait_for(lambda: self.docker("info", capture_output=True, check=False).returncode == 0, 60, "dockerd")
        for uplink in uplinks():
            if run("iptables", "-C", "DOCKER-USER", "-o", uplink, "-j", "DROP", capture_output=True,
                   check=False).returncode:
                run("iptables", "-I", "DOCKER-USER", "1", "-o", uplink, "-j", "DROP")
        # kind uses a network named "kind" when one exists: made here, without masquerading
        if self.docker("network", "inspect", "kind", capture_output=True, check=False).returncode:
            self.docker("network", "create", "--driver=bridge", f"--subnet={KIND_NETWORK_SUBNET}",
                        "-o", "com.docker.network.bridge.enable_ip_masquerade=false",
                        "-o", "com.docker.network.bridge.name=thebot-kind", "kind", stdout=subprocess.DEVNULL)
        # This tool stops dockerd only once its clusters are deleted (down), so a container a fresh dockerd finds
        # was made by a run killed with its dockerd, which has just restarted it. Reusing one is unsafe: on
        # 2026-11-30 CI reused a kind node whose create had been cut short ("namespaces local-path-storage not
        # found").
        left = self.remove_containers(check=True)
        if left:
            log(f"removed what a killed run left in {self.dir / 'data'}: {', '.join(left)}")

    def remove_containers(self, check: bool) -> list:
        """Remove every container of this dockerd, with its volumes; returns their names, sorted."""
        names = sorted(self.docker("ps", "--all", "--format", "{{.Names}}", capture_output=True, text=True,
                                   check=check).stdout.split())
        if names:
            self.docker("rm", "--force", "--volumes", *names, stdout=subprocess.DEVNULL, check=check)
        return names

    def load(self, ref: str, archive: Path) -> None:
        if self.docker("image", "inspect", ref, capture_output=True, check=False).returncode:
            started = time.monotonic()
            self.docker("load", "-q", "-i", archive, stdout=subprocess.DEVNULL)
            log(f"docker load {ref}: {time.monotonic() - started:.0f}s")

    def stop(self) -> list:
        """Stop dockerd and remove what it made; returns what is left on the host that was not there before."""
        pid = self.pid()
        if pid:
            self.remove_containers(check=False)
            self.docker("network", "prune", "-f", stdout=subprocess.DEVNULL, check=False)
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while self.pid() and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.pid():
                os.kill(pid, signal.SIGKILL)
        for mount in reversed(Path("/proc/mounts").read_text().splitlines()):
            point = mount.split()[1]
            if point.startswith(str(self.dir)):
                run("umount", "-l", point, check=False, capture_output=True)
        before = json.loads(self.before.read_text()) if self.before.exists() else None
        remove_docker_network_state(before)
        shutil.rmtree(self.dir, ignore_errors=True)
        if before is None:
            return []
        after = host_network_state()
        return ([f"interface {name}" for name in sorted(set(after["links"]) - set(before["links"]))]
                + [f"iptables: {rule}" for rule in after["rules"] if rule not in before["rules"]]
                + ([f"net.ipv4.ip_forward is {after['ip_forward']}, was {before['ip_forward']}"]
                   if after["ip_forward"] != before["ip_forward"] else []))


def other_dockerds(own_root: Path, proc: Path = Path("/proc")) -> list:
    """(PID, data root) of each dockerd this tool started for another data root (another HOME's test bed): a
    dockerd whose arguments hold the test bed's bridge address."""
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = [arg.decode("utf-8", "replace") for arg in (entry / "cmdline").read_bytes().split(b"\0") if arg]
        except OSError:  # the process ended meanwhile
            continue
        if not argv or Path(argv[0]).name != "dockerd" or DOCKER_BIP not in argv:
            continue
        root = argv[argv.index("--data-root") + 1] if "--data-root" in argv[:-1] else "(default)"
        if root != str(own_root):
            found.append((int(entry.name), root))
    return sorted(found)


def uplinks() -> list:
    routes = json.loads(run("ip", "-j", "route", "show", "default", capture_output=True, text=True).stdout or "[]")
    return sorted({route["dev"] for route in routes if "dev" in route})


def host_network_state() -> dict:
    rules = []
    for table in ("filter", "nat", "mangle", "raw"):
        dump = run("iptables-save", "-t", table, capture_output=True, text=True, check=False).stdout
        rules += [f"{table} {line}" for line in dump.splitlines() if line.startswith(("-A", ":"))]
    links = [link["ifname"] for link in json.loads(run("ip", "-j", "link", capture_output=True, text=True).stdout)]
    return {"rules": [re.sub(r" \[\d+:\d+\]$", "", rule) for rule in rules], "links": links,
            "ip_forward": Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()}


def remove_docker_network_state(before: dict | None) -> None:
    """dockerd leaves its chains, jumps, bridges and ip_forward behind when it stops: take them out."""
    for table in ("filter", "nat"):
        dump = run("iptables-save", "-t", table, capture_output=True, text=True, check=False).stdout
        ours = re.compile(r"DOCKER|docker0|thebot-kind|br-[0-9a-f]{12}")
        for line in dump.splitlines():
            if line.startswith("-A ") and ours.search(line) and not line.startswith("-A DOCKER"):
                run("iptables", "-t", table, "-D", *line[3:].split(), check=False, capture_output=True)
        for line in dump.splitlines():
            if line.startswith(":DOCKER"):
                chain = line[1:].split()[0]
                run("iptables", "-t", table, "-F", chain, check=False, capture_output=True)
        for line in dump.splitlines():
            if line.startswith(":DOCKER"):
                run("iptables", "-t", table, "-X", line[1:].split()[0], check=False, capture_output=True)
    known = set(before["links"]) if before else set()
    for link in json.loads(run("ip", "-j", "link", capture_output=True, text=True).stdout):
        name = link["ifname"]
        if name not in known and (name in ("docker0", "thebot-kind") or re.fullmatch(r"br-[0-9a-f]{12}|veth\w+", name)):
            run("ip", "link", "delete", name, check=False, capture_output=True)
    if before:
        Path("/proc/sys/net/ipv4/ip_forward").write_text(before["ip_forward"])
        if run("iptables-save", "-t", "filter", capture_output=True, text=True).stdout.find(":FORWARD DROP") >= 0 \
                and not any(rule.startswith("filter :FORWARD DROP") for rule in before["rules"]):
            run("iptables", "-P", "FORWARD", "ACCEPT")
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        for name in ("docker", "kubelet", "kubelet.slice", "kubepods"):
            top = hierarchy / name
            if top.is_dir():
                for directory in sorted(top.rglob("*"), key=lambda p: len(p.parts), reverse=True) + [top]:
                    if directory.is_dir():
                        try:
                            directory.rmdir()
                        except OSError:
                            pass


# -------------------------------------------------------------------------------------------- cluster

class KindCluster:
    def __init__(self, name: str):
        self.name = name
        self.dir = HOME / "clusters" / f"kind-{name}"
        self.kubeconfig = self.dir / "kubeconfig"
        self.docker = Docker()
        self.image_digests: dict = {}  # fixture tag -> digest, once up has loaded them

    def kind(self, *args, **kwargs) -> subprocess.CompletedProcess:
        binary = "kind" if UPSTREAM_IMAGE else str(HOME / "bin" / "kind")
        env = os.environ if UPSTREAM_IMAGE else self.docker.env
        return run(binary, *args, env=env, **kwargs)

    def kubectl(self, *args, **kwargs) -> subprocess.CompletedProcess:
        return run(HOME / "bin" / "kubectl", f"--kubeconfig={self.kubeconfig}", *args, **kwargs)

    def exists(self) -> bool:
        listed = self.kind("get", "clusters", capture_output=True, text=True, check=False).stdout.split()
        return self.name in listed

    def up(self) -> Path:
        started = time.monotonic()
        if UPSTREAM_IMAGE:
            build()
            image, built = UPSTREAM_IMAGE, None
        else:
            built = build_all()
            self.docker.start()
            image = built["node_image"]
        self.dir.mkdir(parents=True, exist_ok=True)
        created_mark = self.dir / "created"
        if self.exists() and not created_mark.exists():
            # kind create is the one step of up that is not idempotent: a node it left unfinished (its run was
            # interrupted) would be reused without the storage and CNI it installs last
            log(f"deleting cluster {self.name}: its kind create did not finish")
            self.kind("delete", "cluster", "--name", self.name, stderr=subprocess.DEVNULL)
        if not self.exists():
            created_mark.unlink(missing_ok=True)
            if built:
                self.docker.load(built["node_image"], built["node_archive"])
            config = self.dir / "kind.yaml"
            config.write_text((FILES / "cluster.yaml").read_text().replace("@POD_SUBNET@", POD_SUBNET)
                              .replace("@SERVICE_SUBNET@", SERVICE_SUBNET))
            created = time.monotonic()
            self.kind("create", "cluster", "--name", self.name, "--image", image, "--config", config,
                      "--kubeconfig", self.kubeconfig, "--wait", "180s")
            log(f"kind create cluster {self.name}: {time.monotonic() - created:.0f}s")
            created_mark.write_text(f"{time.time():.0f}\n")
        self.kind("export", "kubeconfig", "--name", self.name, "--kubeconfig", self.kubeconfig,
                  stderr=subprocess.DEVNULL)
        if built:
            self.addons()
            loaded = time.monotonic()
            self.kind("load", "image-archive", built["fixtures"], "--name", self.name)
            self.image_digests = self.pin_fixtures()
            log(f"kind load fixtures: {time.monotonic() - loaded:.0f}s")
        log(f"cluster {self.name} up in {time.monotonic() - started:.0f}s")
        return self.kubeconfig

    def pin_fixtures(self) -> dict:
        """Name each fixture image by its digest too (repository@sha256:<manifest>), as containerd's CRI does
        for an image pulled from a registry: a chart value can then run it by digest, as prod requires.
        Returns tag -> digest."""
        ctr = ["exec", f"{self.name}-control-plane", "ctr", "-n", "k8s.io", "images"]
        tags = {tag for image in json.loads((FIXTURES / "images.json").read_text())["images"] for tag in image["tags"]}
        listed = self.docker.docker(*ctr, "ls", capture_output=True, text=True).stdout.splitlines()[1:]
        digests = {row.split()[0]: row.split()[2] for row in listed if row.split() and row.split()[0] in tags}
        missing = sorted(tags - set(digests))
        if missing:
            raise TestbedError(f"the node holds no image {', '.join(missing)} after kind load")
        for tag, manifest in sorted(digests.items()):
            self.docker.docker(*ctr, "tag", "--force", tag, f"{tag.rsplit(':', 1)[0]}@{manifest}",
                               stdout=subprocess.DEVNULL)
        return digests

    def addons(self) -> None:
        """More storage classes (the inventories name ssd and fast-ssd) and the NetworkPolicy engine."""
        manifest = (FILES / "addons.yaml").read_text().replace(
            "@KUBE_ROUTER_IMAGE@", f"localhost/kube-router:{NODE_TOOLS[4].version()}")
        # `kind create --wait` waits for the node, not for the API server's aggregated OpenAPI, which kubectl's
        # validation downloads first: under load it can answer 503 for a while ("failed to download openapi:
        # unknown", a CI run on 2026-11-29). Wait for both; then three tries, as a slow apiserver may still drop one.
        _wait_for(lambda: all(self.kubectl("get", "--raw", path, check=False, capture_output=True).returncode == 0
                              for path in ("/readyz", "/openapi/v3")), 120, "the API server's OpenAPI")
        for attempt in range(1, 4):
            applied = self.kubectl("apply", "-f", "-", input=manifest, text=True, check=False,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if applied.returncode == 0:
                break
            log(f"kubectl apply (add-ons), try {attempt} of 3: {applied.stderr.strip()}")
            if attempt == 3:
                raise TestbedError(f"the add-ons were not applied: {applied.stderr.strip()}")
            time.sleep(5)
        for what in ("daemonset/kube-router -n kube-system", "deployment/local-path-provisioner -n local-path-storage",
                     "deployment/coredns -n kube-system"):
            self.kubectl("rollout", "status", "--timeout=180s", *what.split(), stdout=subprocess.DEVNULL)

    def down(self) -> None:
        """Delete the cluster; with none left, stop dockerd and check that the host is as it was."""
        if UPSTREAM_IMAGE:
            if self.exists():
                self.kind("delete", "cluster", "--name", self.name)
            return
        if self.docker.pid() and self.exists():
            self.kind("delete", "cluster", "--name", self.name, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
        others = self.kind("get", "clusters", capture_output=True, text=True, check=False).stdout.split() \
            if self.docker.pid() else []
        if others:
            log(f"dockerd kept for {', '.join(others)}")
            return
        left = self.docker.stop()
        if left:
            raise TestbedError("teardown left behind: " + "; ".join(left))
        log(f"cluster {self.name} is down; dockerd stopped, the host as it was")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("command", choices=("build", "up", "down", "env"))
    parser.add_argument("--name", default=os.environ.get("THEBOT_TESTBED_NAME", "thebot"))
    args = parser.parse_args(argv)
    return cli("kindnode", lambda: _command(args))


def _command(args) -> None:
    cluster = KindCluster(args.name)
    if args.command == "build":
        print(json.dumps({key: str(value) for key, value in build_all().items()}, indent=1))
    elif args.command == "up":
        print(cluster.up())
    elif args.command == "down":
        cluster.down()
    elif args.command == "env":
        print(f"export PATH={HOME / 'bin'}:$PATH")
        print(f"export HELM_PLUGINS={HOME / 'helm-plugins'}")
        print(f"export KUBECONFIG={cluster.kubeconfig}")
        print(f"export DOCKER_HOST=unix://{cluster.docker.socket}")


if __name__ == "__main__":
    sys.exit(main())
