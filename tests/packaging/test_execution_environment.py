"""execution-environment.yml makes a build context ansible-builder accepts, with what AWX needs inside.

No image is built here (no container registry is reachable): what is proven is the generated context.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(ROOT / "execution-environment.yml", work)
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(ROOT), "--output-path", str(work)],
                           capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    create = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"],
                            cwd=work, capture_output=True, text=True, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    return work / "context"


def test_the_pinned_ansible_and_the_collections(context):
    containerfile = (context / "Dockerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in containerfile
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert {"name": "kubernetes.core", "version": ">=6.0.0,<7.0.0"} in collections
    tarballs = list((context / "_build" / "collection").glob("thebot-platform-*.tar.gz"))
    assert len(tarballs) == 1, "the built collection is in the context"
    assert "COPY _build/collection/thebot-platform-*.tar.gz /build/collection/thebot-platform.tar.gz" in containerfile


def test_python_requirements_match_the_suite(context):
    wanted = (context / "_build" / "requirements.txt").read_text().split()
    locked = (ROOT / "requirements.txt").read_text()
    for requirement in wanted:
        assert re.search(rf"^{re.escape(requirement)} ", locked, re.M), f"{requirement} is not what the suite runs"


def test_helm_and_helm_diff_are_installed_only_when_their_checksums_match(context):
    containerfile = (context / "Dockerfile").read_text()
    final = containerfile[containerfile.index("FROM base AS final"):]
    assert 'echo "$HELM_SHA256  helm.tgz" | sha256sum -c -' in final
    assert 'echo "$HELM_DIFF_SHA256  diff.tgz" | sha256sum -c -' in final
    assert "ENV HELM_PLUGINS=/usr/local/share/helm/plugins" in final
    version = yaml.safe_load((ROOT / "roles" / "prerequisites" / "defaults" / "main.yml").read_text())
    assert f"ARG HELM_VERSION={version['prerequisites_helm_version']}" in final, "the version the role checks"
