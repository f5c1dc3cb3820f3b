"""helm and helm-diff come from a mirror, each checked against its sha256 (a mirror served on loopback).

The archives are made here in the upstream release layout from the test bed's pinned builds, since
these machines cannot download upstream's.
"""

import re

import pytest

import testbed
from helpers.deploy import ROOT, recap
from helpers.tasks import run_module, run_task

pytestmark = pytest.mark.cluster


@pytest.fixture
def mirror(tmp_path):
    files = tmp_path / "mirror"
    version = [t for t in testbed.TOOLS if t.module_dir == "helm"][0].version()
    sums = testbed.helm_release_files(files)
    server, url = testbed.serve_folder(files)
    yield url, sums, version
    server.shutdown()


def test_helm_and_helm_diff_from_a_mirror_checked_by_sha256(deploy, mirror, tmp_path):
    url, sums, version = mirror
    install = tmp_path / "install"
    args = ["-e", f"prerequisites_mirror_url={url}", "-e", f"prerequisites_install_dir={install}",
            "-e", f"prerequisites_helm_sha256={sums[f'helm-{version}-linux-amd64.tar.gz']}",
            "-e", f"prerequisites_helm_diff_sha256={sums['helm-diff-linux-amd64.tgz']}"]
    result = deploy(*args, helm=False)
    assert result.returncode == 0, result.output[-3000:]
    assert (install / "linux-amd64" / "helm").exists() and (install / "plugins" / "diff" / "bin" / "diff").exists()
    again = deploy(*args, helm=False, namespace=result.namespace)
    assert again.returncode == 0 and recap(again)["changed"] == 0, "a second run downloads nothing"

    tampered = list(args)
    tampered[tampered.index(f"prerequisites_install_dir={install}")] = f"prerequisites_install_dir={tmp_path / 'other'}"
    tampered[tampered.index(f"prerequisites_helm_sha256={sums[f'helm-{version}-linux-amd64.tar.gz']}")] = \
        "prerequisites_helm_sha256=" + "0" * 64
    refused = deploy(*tampered, helm=False, namespace=result.namespace)
    assert refused.returncode == 2
    assert "did not match" in refused.output and "checksum" in refused.output, refused.output[-3000:]
    assert not (tmp_path / "other" / "linux-amd64" / "helm").exists(), "nothing unpacked from a bad download"


def test_the_cluster_version_is_read_in_ansible_playbooks_process_as_the_module_reads_it(kube, tmp_path):
    """thebot.platform.cluster_version's action plugin (what the prerequisites role runs) against a real API
    server: the module's answer, the test bed's Kubernetes version, and no module shipped."""
    args = {"kubeconfig": str(kube.kubeconfig)}
    action, output = run_task("cluster_version", args, "-vvv")
    module = run_module("cluster_version", args, tmp_path)
    version = next(t for t in testbed.TOOLS if t.module_dir == "kubernetes").version()
    assert not action.get("failed") and action["version"]["gitVersion"] == version, output[-3000:]
    assert (action["version"], action["host"]) == (module["version"], module["host"])
    assert "AnsiballZ" not in output, output[-3000:]


def test_a_helm_of_other_versions_or_none_ends_the_run_naming_what_was_found_and_wanted(deploy, tmp_path):
    """The versions are read by thebot.platform.helm_version's action (no module process), as its module reads them."""
    old = tmp_path / "helm"
    old.write_text("#!/bin/sh\n[ \"$1\" = version ] && echo v3.0.0 && exit 0\necho 'Error: unknown command \"diff\"' >&2\n"
                   "exit 1\n")
    old.chmod(0o755)
    other = deploy("-e", f"prerequisites_helm_binary={old}", "-e", f"prerequisites_helm_plugins_dir={tmp_path}",
                   helm=False)
    assert other.returncode == 2, other.output[-3000:]
    assert "helm v3.0.0 with helm-diff missing found, v3.21.4 with 3.9.14 wanted" in other.flat, other.output[-3000:]
    none = deploy("-e", f"prerequisites_helm_binary={tmp_path / 'nowhere'}", helm=False)
    assert none.returncode == 2 and f"cannot run helm {tmp_path / 'nowhere'}:" in none.flat, none.output[-3000:]
    for result in (other, none):
        assert not [line for line in result.output.splitlines() if line.startswith("changed:")], "nothing written"

    args = {"helm_binary": str(testbed.binary("helm")), "helm_plugins": str(testbed.HOME / "helm-plugins")}
    action, output = run_task("helm_version", args, "-vvv")
    module = run_module("helm_version", args, tmp_path)
    assert (action["helm"], action["diff"]) == (module["helm"], module["diff"]) == ("v3.21.4", "3.9.14"), output[-3000:]
    assert "AnsiballZ" not in output, output[-3000:]


def test_a_cluster_older_than_the_chart_needs_ends_the_run_naming_both_versions(deploy):
    """The floor (prerequisites_min_kubernetes_version) raised above the test bed's Kubernetes: refused, nothing
    written."""
    older = deploy("-e", "prerequisites_min_kubernetes_version=99.0.0")
    assert older.returncode == 2, older.output[-3000:]
    assert re.search(r"runs Kubernetes v1\.\d+\.\d+\S*; THE_BOT's chart needs 99\.0\.0 or later: upgrade the cluster",
                     older.flat), older.output[-3000:]
    assert not [line for line in older.output.splitlines() if line.startswith("changed:")], "nothing written"


def test_the_chart_is_rendered_in_ansible_playbooks_process_as_the_module_renders_it(tmp_path):
    """thebot.platform.helm_template's action (what the validate role runs): the chart's refusal, as its module and
    helm template on the command line give it, a string YAML 1.1 reads as a boolean included."""
    base = {"helm_binary": str(testbed.binary("helm")), "chart_path": str(ROOT / "charts" / "thebot"),
            "release_name": "thebot", "release_namespace": "thebot-dev", "kube_version": "1.29.0"}
    good = {**base, "release_values": {"secrets": {"existingSecret": "thebot-credentials"}}}
    bad = {**base, "release_values": {"secrets": {"existingSecret": "thebot-credentials"}, "backend": {"replicaCount": 0}}}
    rendered, output = run_task("helm_template", good, "-vvv")
    assert rendered["rc"] == 0 and rendered["manifest_bytes"] > 1000, output[-3000:]
    assert "AnsiballZ" not in output, output[-3000:]
    refused, output = run_task("helm_template", bad)
    module = run_module("helm_template", bad, tmp_path)
    assert refused["rc"] != 0 and (refused["rc"], refused["stderr_lines"]) == (module["rc"], module["stderr_lines"])
    assert any("replicaCount" in line for line in refused["stderr_lines"]), output[-3000:]
