"""execution-environment.yml makes a build context ansible-builder accepts, with what AWX needs inside.

The image itself is built and run by molecule's execution-environment scenario (kind); here, the context alone.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import eeimage

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(ROOT / "execution-environment.yml", work)
    manifests = eeimage.collection_tarballs(work)  # what make ee puts beside it
    create = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"],
                            cwd=work, capture_output=True, text=True, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    return work / "context", manifests


def test_the_pinned_ansible_and_both_collections_from_their_tarballs(context):
    context, manifests = context
    containerfile = (context / "Dockerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in containerfile
    assert 'ARG ANSIBLE_GALAXY_CLI_COLLECTION_OPTS="--offline"' in containerfile, "no Galaxy is asked"
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert collections == [{"name": "/build/collection/kubernetes-core.tar.gz", "type": "file"},
                           {"name": "/build/collection/thebot-platform.tar.gz", "type": "file"}]
    for tarball in ("thebot-platform", "kubernetes-core"):
        assert len(list((context / "_build" / "collection").glob(f"{tarball}-*.tar.gz"))) == 1, tarball
        assert f"COPY _build/collection/{tarball}-*.tar.gz /build/collection/{tarball}.tar.gz" in containerfile
    core = json.loads(manifests["kubernetes.core"])["collection_info"]["version"]
    assert (context / "_build" / "collection" / f"kubernetes-core-{core}.tar.gz").exists()


def test_pip_reads_only_the_wheelhouse_given_and_the_image_keeps_no_such_setting(context):
    containerfile = (context[0] / "Dockerfile").read_text()
    base = containerfile[:containerfile.index("# Galaxy build stage")]
    final = containerfile[containerfile.index("FROM base AS final"):]
    assert "no-index = true" in base and "/etc/pip.conf" in base
    assert base.index("/etc/pip.conf") < base.index("pip install"), "set before the first pip"
    assert "RUN rm -f /etc/pip.conf" in final


def test_python_requirements_match_the_suite(context):
    wanted = (context[0] / "_build" / "requirements.txt").read_text().split()
    locked = (ROOT / "requirements.txt").read_text()
    for requirement in wanted:
        assert re.search(rf"^{re.escape(requirement)} ", locked, re.M), f"{requirement} is not what the suite runs"


def test_helm_and_helm_diff_are_installed_only_when_their_checksums_match(context):
    containerfile = (context[0] / "Dockerfile").read_text()
    final = containerfile[containerfile.index("FROM base AS final"):]
    assert 'echo "$HELM_SHA256  helm.tgz" | sha256sum -c -' in final
    assert 'echo "$HELM_DIFF_SHA256  diff.tgz" | sha256sum -c -' in final
    assert "ENV HELM_PLUGINS=/usr/local/share/helm/plugins" in final
    version = yaml.safe_load((ROOT / "roles" / "prerequisites" / "defaults" / "main.yml").read_text())
    assert f"ARG HELM_VERSION={version['prerequisites_helm_version']}" in final, "the version the role checks"
