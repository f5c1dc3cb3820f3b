"""The execution environment's image, built the way an AWX user builds it (ansible-builder and the repository's
execution-environment.yml), here with no registry and no index reachable from inside the build.

    eeimage.py build [--base-image REF]   build the image, or load the one saved for the same inputs; print a
                                          JSON record: image, base, built (or loaded), seconds, bytes, and
                                          the DOCKER_HOST that has it

What it makes, each cached under $THEBOT_TESTBED_HOME/ee:
- the base image, unless --base-image names one: Debian bookworm from debootstrap (Python 3.11, ca-certificates,
  curl), a virtualenv at /opt/ansible for the build's pip, and an adapter for ansible-builder's package-manager
  calls (ee/apt-as-dnf);
- the build's inputs: this collection's tarball (ansible-galaxy collection build), kubernetes.core's as the pinned
  ansible distribution installed it, a wheelhouse of awx/ee/requirements.txt (pip download, every hash
  checked), helm and helm-diff as their release files from the test bed's pinned builds;
- a mirror of the wheelhouse and the helm files, served over HTTP on dockerd's bridge address for the length of
  the build: the build's containers reach that and nothing else (no masquerading here).
The image is tagged thebot-ee:<collection version> and saved as an archive named by a digest of every input
(the collections' manifests, which list each file's sha256; the lock; the base; the definition; helm's
checksums; ansible-builder's version): the next run with the same inputs loads the archive instead of building.

dockerd is kindnode's (started if it is not running; kindnode.py down stops it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kindnode  # noqa: E402
from kindnode import DOCKER_BIP, Docker, Image, Layer, digest, rootfs, write_archive  # noqa: E402
from testbed import (  # noqa: E402
    HOME, TestbedError, binary, build as build_tools, cli, helm_release_files, serve_folder)

ROOT = Path(__file__).resolve().parents[2]
EE_HOME = HOME / "ee"
BIN = Path(sys.executable).parent
# What ansible-builder's steps need of a base: Python 3.11 with ensurepip (its pip_install script), curl for the
# helm step, CA certificates for a cluster's TLS. tar and gzip are in every debootstrap. python3-distutils is
# named because python3.11-venv depends on a package it provides, which debootstrap does not resolve.
BASE_PACKAGES = ("python3.11", "python3.11-venv", "python3-distutils", "ca-certificates", "curl")
ADAPTER = Path(__file__).resolve().parent / "ee" / "apt-as-dnf"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
VENV = "/opt/ansible"


def log(message: str) -> None:
    print(f"eeimage: {message}", file=sys.stderr, flush=True)


def run(*argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], check=kwargs.pop("check", True), **kwargs)


def base_image(docker: Docker) -> str:
    """The Debian base, loaded into dockerd; returns its reference. Debian's own Python refuses ensurepip, which
    ansible-builder runs first; a virtualenv's does not: the image has one at /opt/ansible, first on PATH, and
    the build is told to use it (PYCMD)."""
    root = rootfs("ee-base", BASE_PACKAGES)
    key = digest(root.name, ADAPTER, VENV)
    ref = f"localhost/thebot-ee-base:{key}"
    archive = EE_HOME / f"base-{key}.tar"
    if not archive.exists():
        with tempfile.TemporaryDirectory(dir=EE_HOME) as tmp:
            image_root = Path(tmp) / "root"
            run("cp", "-a", f"{root}/.", image_root)
            run("chroot", image_root, "/usr/bin/python3.11", "-m", "venv", VENV)
            adapter = image_root / "usr" / "local" / "sbin" / "apt-as-dnf"
            shutil.copy2(ADAPTER, adapter)
            adapter.chmod(0o755)
            layer = Layer.of("ee-base", image_root, key)
            write_archive(archive, [Image((ref,), [layer], {"Env": [f"PATH={VENV}/bin:{PATH_ENV[5:]}", "LANG=C.UTF-8"],
                                                            "Cmd": ["/bin/bash"]})])
            layer.path.unlink()
            layer.path.with_suffix(".sha256").unlink()
    docker.load(ref, archive)
    return ref


def collection_tarballs(into: Path) -> dict:
    """This collection's tarball and kubernetes.core's (the installed one: its MANIFEST.json and FILES.json are
    an artifact's); returns name -> the MANIFEST.json text (its FILES.json checksum covers every file)."""
    built = run(BIN / "ansible-galaxy", "collection", "build", ROOT, "--output-path", into, "--force",
                capture_output=True, text=True, check=False)
    if built.returncode:
        raise TestbedError(f"ansible-galaxy collection build failed: {built.stderr.strip()[-500:]}")
    ours = next(into.glob("thebot-platform-*.tar.gz"))
    core = next(Path(p) for p in sys.path if (Path(p) / "ansible_collections/kubernetes/core").is_dir()) \
        / "ansible_collections" / "kubernetes" / "core"
    manifest, files = _core_manifests(core)
    version = json.loads(manifest)["collection_info"]["version"]
    with tarfile.open(into / f"kubernetes-core-{version}.tar.gz", "w:gz") as archive:
        for name, text in (("MANIFEST.json", manifest), ("FILES.json", files)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(text.encode()), 0o644
            archive.addfile(info, io.BytesIO(text.encode()))
        for entry in json.loads(files)["files"][1:]:
            archive.add(core / entry["name"], arcname=entry["name"], recursive=False)
    with tarfile.open(ours) as archive:
        ours_manifest = archive.extractfile("MANIFEST.json").read().decode()
    return {"thebot.platform": ours_manifest, "kubernetes.core": manifest}


def _core_manifests(core: Path) -> tuple:
    """kubernetes.core's MANIFEST.json and FILES.json for the files the ansible distribution installed: its
    FILES.json also lists what the distribution leaves out (.github, tests...), which ansible-galaxy would then
    fail to extract. Each file's checksum is taken from the file."""
    listed = json.loads((core / "FILES.json").read_text())
    kept = [listed["files"][0]]
    for entry in listed["files"][1:]:
        path = core / entry["name"]
        if entry["ftype"] == "dir" and path.is_dir() or entry["ftype"] == "file" and path.is_file():
            if entry["ftype"] == "file":
                entry = dict(entry, chksum_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
            kept.append(entry)
    files = json.dumps(dict(listed, files=kept), indent=4)
    manifest = json.loads((core / "MANIFEST.json").read_text())
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files.encode()).hexdigest()
    return json.dumps(manifest, indent=4), files


def wheelhouse() -> Path:
    """Every distribution of awx/ee/requirements.txt as a wheel for CPython 3.11 on manylinux, hashes checked."""
    lock = ROOT / "awx" / "ee" / "requirements.txt"
    folder = EE_HOME / f"wheels-{digest(lock)}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        platforms = [arg for p in ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "any")
                     for arg in ("--platform", p)]
        run(BIN / "pip", "download", "--quiet", "--disable-pip-version-check", "--require-hashes", "--no-deps",
            "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
            "--abi", "abi3", "--abi", "none", *platforms, "-r", lock, "-d", folder)
        (folder / ".complete").touch()
    return folder


def helm_files() -> tuple:
    """(folder, name -> sha256) of helm's and helm-diff's release files, made once per pinned build."""
    build_tools(("helm", "helm-diff"))
    folder = EE_HOME / f"helm-{digest(os.path.realpath(binary('helm')), os.path.realpath(HOME / 'helm-plugins' / 'diff'))}"
    sums = folder / "sha256.json"
    if not sums.exists():
        shutil.rmtree(folder, ignore_errors=True)
        written = helm_release_files(folder)
        sums.write_text(json.dumps(written))
    return folder, json.loads(sums.read_text())


def build(base: str | None = None) -> dict:
    """The image for the current tree: loaded from its saved archive, or built and saved."""
    EE_HOME.mkdir(parents=True, exist_ok=True)
    kindnode.host_packages()
    docker = Docker()
    docker.start()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="context-", dir=EE_HOME))
    try:
        base_ref = base or base_image(docker)
        mirror = work / "mirror"
        mirror.mkdir()
        helm, sums = helm_files()
        for name in sums:
            (mirror / name).symlink_to(helm / name)
        (mirror / "wheels").symlink_to(wheelhouse())
        manifests = collection_tarballs(work)
        definition = ROOT / "execution-environment.yml"
        shutil.copy2(definition, work)
        version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
        tag = f"thebot-ee:{version}"
        key = digest(base_ref, definition, ROOT / "awx" / "ee" / "requirements.txt", json.dumps(sums, sort_keys=True),
                     json.dumps(manifests, sort_keys=True), _builder_version())
        archive = EE_HOME / f"thebot-ee-{version}-{key}.tar"
        record = {"image": tag, "base": base_ref, "key": key, "archive": str(archive),
                  "docker_host": docker.env["DOCKER_HOST"]}
        marker = f"thebot-ee:inputs-{key}"  # the same inputs are in dockerd already: nothing to do
        if docker.docker("image", "inspect", marker, capture_output=True, check=False).returncode == 0:
            record["built"] = False
        elif archive.exists():
            docker.docker("load", "-q", "-i", archive, stdout=subprocess.DEVNULL)
            record["built"] = False
        else:
            _build(docker, work, tag, base_ref, sums, base is None)
            for old in EE_HOME.glob(f"thebot-ee-{version}-*.tar"):
                old.unlink()
            docker.docker("save", "-o", archive.with_suffix(".tmp"), tag)
            archive.with_suffix(".tmp").replace(archive)
            record["built"] = True
        docker.docker("tag", tag, marker)
        record["seconds"] = round(time.monotonic() - started)
        record["bytes"] = int(docker.docker("image", "inspect", "-f", "{{.Size}}", tag, capture_output=True,
                                            text=True).stdout.strip())
        return record
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _builder_version() -> str:
    return run(BIN / "ansible-builder", "--version", capture_output=True, text=True).stdout.strip()


def _build(docker: Docker, work: Path, tag: str, base: str, sums: dict, debian: bool) -> None:
    server, url = serve_folder(work / "mirror", DOCKER_BIP.split("/", maxsplit=1)[0])
    helm = next(name for name in sums if name.startswith("helm-v"))
    args = {"EE_BASE_IMAGE": base, "HELM_MIRROR_URL": url, "HELM_SHA256": sums[helm],
            "HELM_DIFF_SHA256": sums["helm-diff-linux-amd64.tgz"], "PIP_FIND_LINKS": f"{url}/wheels/"}
    if debian:
        args.update(PKGMGR="/usr/local/sbin/apt-as-dnf", PYCMD=f"{VENV}/bin/python3.11")
    logfile = EE_HOME / "build.log"
    log(f"ansible-builder build {tag} on {base} (log: {logfile})")
    try:
        with logfile.open("w") as out:
            result = run(BIN / "ansible-builder", "build", "-f", "execution-environment.yml", "-c", "context",
                         "-t", tag, "--container-runtime", "docker", "-v", "3",
                         *[arg for name, value in args.items() for arg in ("--build-arg", f"{name}={value}")],
                         cwd=work, env=dict(docker.env, PATH=f"{BIN}:{docker.env['PATH']}"), stdout=out,
                         stderr=subprocess.STDOUT, check=False)
    finally:
        server.shutdown()
    if result.returncode:
        tail = logfile.read_text().splitlines()[-25:]
        raise TestbedError(f"ansible-builder build failed (exit {result.returncode}); its log's end:\n"
                           + "\n".join(tail))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("command", choices=("build",))
    parser.add_argument("--base-image", help="build on this image (it must be in dockerd) instead of the Debian one")
    args = parser.parse_args(argv)
    return cli("eeimage", lambda: print(json.dumps(build(args.base_image), indent=1)))


if __name__ == "__main__":
    sys.exit(main())
