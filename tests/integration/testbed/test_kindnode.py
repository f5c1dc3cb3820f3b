"""kindnode.py's own parts that need no Docker: image archives, layers, fingerprints, the network guard's
bookkeeping. The whole tool (build, up, down) runs in make molecule, whose destroy fails if the teardown
leaves anything behind."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time

import pytest

import kindnode


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setattr(kindnode, "KIND_HOME", tmp_path / "kind")
    (tmp_path / "kind").mkdir()
    return tmp_path


def tree(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_layer_is_reproducible_whatever_the_file_times(home):
    first = kindnode.Layer.of("a", tree(home / "one", {"etc/x": "1", "app/y.py": "print()"}), "k1")
    second_tree = tree(home / "two", {"app/y.py": "print()", "etc/x": "1"})
    os.utime(second_tree / "etc/x", (1, 1))
    second = kindnode.Layer.of("b", second_tree, "k2")
    assert first.sha256 == second.sha256
    assert first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    third = kindnode.Layer.of("c", tree(home / "three", {"etc/x": "2", "app/y.py": "print()"}), "k3")
    assert third.sha256 != first.sha256


def test_the_archive_is_what_docker_save_writes(home):
    base = kindnode.Layer.of("base", tree(home / "base", {"etc/passwd": "root:x:0:0::/:/bin/sh\n"}), "b")
    app = kindnode.Layer.of("app", tree(home / "app", {"app/manage.py": "print()"}), "a")
    images = [kindnode.Image(("localhost/x/backend:1", "localhost/x/backend:2"), [base, app], {"User": "1000"}),
              kindnode.Image(("localhost/x/redis:7",), [base], {"Cmd": ["redis-server"]})]
    archive = kindnode.write_archive(home / "out.tar", images)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert [entry["RepoTags"] for entry in manifest] == [
            ["localhost/x/backend:1", "localhost/x/backend:2"], ["localhost/x/redis:7"]]
        names = tar.getnames()
        assert names.count(f"{base.sha256}/layer.tar") == 1, "a layer shared by two images is stored once"
        for entry in manifest:
            config = json.load(tar.extractfile(entry["Config"]))
            assert entry["Config"] == hashlib.sha256(tar.extractfile(entry["Config"]).read()).hexdigest() + ".json"
            layers = [hashlib.sha256(tar.extractfile(layer).read()).hexdigest() for layer in entry["Layers"]]
            assert config["rootfs"]["diff_ids"] == [f"sha256:{sha}" for sha in layers]
        assert json.load(tar.extractfile(manifest[0]["Config"]))["config"] == {"User": "1000"}


def test_the_fingerprint_follows_the_content(home):
    folder = tree(home / "f", {"a": "1"})
    before = kindnode.digest("v1", folder)
    assert kindnode.digest("v1", folder) == before
    (folder / "a").write_text("2")
    assert kindnode.digest("v1", folder) != before
    assert kindnode.digest("v2", tree(home / "g", {"a": "1"})) != kindnode.digest("v1", tree(home / "h", {"a": "1"}))


def test_the_fixtures_spec_names_existing_folders_and_distinct_tags():
    spec = json.loads((kindnode.FIXTURES / "images.json").read_text())
    tags = [tag for image in spec["images"] for tag in image["tags"]]
    assert len(tags) == len(set(tags))
    for image in spec["images"]:
        for folder in image["layers"]:
            assert (kindnode.FIXTURES / folder).is_dir(), folder


def test_the_host_state_the_teardown_compares_leaves_counters_out():
    """Counters change while the cluster runs; a rule left behind is what the teardown check must see."""
    # iptables-save comes with the host packages (docker.io's dependencies), which molecule's create installs later
    # in the run: on a fresh machine this test comes first (a CI run on 2026-11-29 had no iptables-save here).
    kindnode.host_packages()
    state = kindnode.host_network_state()
    assert all(not rule.endswith("]") for rule in state["rules"])
    assert "lo" in state["links"] and state["ip_forward"] in ("0", "1")


def _proc(root, processes):
    for pid, argv in processes.items():
        (root / str(pid)).mkdir(parents=True)
        (root / str(pid) / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    (root / "self").mkdir()
    return root


def test_another_test_beds_dockerd_is_found_and_ours_or_a_foreign_one_is_not(tmp_path):
    ours, theirs = tmp_path / "ours" / "data", "/tmp/ci-home/.cache/thebot-testbed/kind/docker/data"
    proc = _proc(tmp_path / "proc", {
        101: ["dockerd", "--data-root", str(ours), "--bip", kindnode.DOCKER_BIP],
        202: ["/usr/sbin/dockerd", "--data-root", theirs, "--bip", kindnode.DOCKER_BIP],
        303: ["/usr/sbin/dockerd", "-H", "fd://"],  # the machine's own dockerd, another bridge: none of ours
        404: ["sleep", "dockerd", kindnode.DOCKER_BIP]})
    assert kindnode.other_dockerds(ours, proc) == [(202, theirs)]


def test_dockerd_is_not_started_beside_another_test_beds(home, tmp_path, monkeypatch):
    """A real process that looks like another HOME's dockerd: start() refuses, naming it, and makes nothing."""
    other = tmp_path / "other-home" / "data"
    script = "import time; time.sleep(60)"
    process = subprocess.Popen(["bash", "-c", f'exec -a dockerd "{sys.executable}" -c "{script}" '
                                              f'--data-root {other} --bip {kindnode.DOCKER_BIP}'])
    try:
        docker = kindnode.Docker()
        deadline = time.monotonic() + 10
        while process.pid not in dict(kindnode.other_dockerds(docker.dir / "data")) and time.monotonic() < deadline:
            time.sleep(0.05)  # until bash has exec'd
        with pytest.raises(kindnode.TestbedError, match=f"PID {process.pid}, data root {other}"):
            docker.start()
        assert not docker.dir.exists()
    finally:
        process.kill()
        process.wait()


def test_a_cluster_whose_create_was_cut_short_is_made_again(tmp_path, monkeypatch):
    """up's rule for a cluster kind already lists: kept when its kind create finished, deleted and created again
    when it did not (a run interrupted during create leaves a node without its storage and CNI). Here `kind` is a
    stand-in that keeps a set of names; the path with real nodes, a killed run's included, runs in make molecule
    after any interrupted run, and by hand as tests/testbed/README.md describes."""
    monkeypatch.setattr(kindnode, "HOME", tmp_path)
    monkeypatch.setattr(kindnode, "UPSTREAM_IMAGE", "localhost/node:stand-in")
    monkeypatch.setattr(kindnode, "build", lambda: None)
    listed, calls = set(), []

    def kind(self, *args, **kwargs):  # pylint: disable=unused-argument
        calls.append(args[:2])
        if args[:2] == ("create", "cluster"):
            listed.add(self.name)
        elif args[:2] == ("delete", "cluster"):
            listed.discard(self.name)
        return subprocess.CompletedProcess(args, 0, stdout="\n".join(sorted(listed)) + "\n")

    monkeypatch.setattr(kindnode.KindCluster, "kind", kind)
    cluster = kindnode.KindCluster("t")
    cluster.up()
    assert ("create", "cluster") in calls and (cluster.dir / "created").exists()

    calls.clear()
    cluster.up()
    assert ("create", "cluster") not in calls and ("delete", "cluster") not in calls, "a finished cluster is kept"

    (cluster.dir / "created").unlink()  # as if the create had been interrupted
    calls.clear()
    cluster.up()
    made = [call for call in calls if call[0] in ("create", "delete")]
    assert made == [("delete", "cluster"), ("create", "cluster")]
    assert (cluster.dir / "created").exists()
