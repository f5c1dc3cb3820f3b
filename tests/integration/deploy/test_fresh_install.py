"""The built collection in a fresh virtualenv: only ansible-core and what meta/python-requirements.txt names,
a collections path holding just thebot.platform and kubernetes.core. ansible-doc documents every plugin
and ansible-playbook thebot.platform.deploy deploys.
"""

import importlib.metadata
import re
import shutil
import subprocess
import sys
import venv

import pytest

from helpers.deploy import BIN, ROOT

pytestmark = pytest.mark.cluster

PLUGINS = {"module": sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__"),
           "filter": ["image_ref", "quantity", "quantity_compare"]}


def _closure(names):
    """The distributions these need, by the metadata of the suite's virtualenv (which requirements.txt pins)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for requirement in importlib.metadata.distribution(name).requires or []:
            if "extra ==" not in requirement and "python_version <" not in requirement:
                todo.append(re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0))
    return seen


def _pinned(names, path):
    """The blocks of requirements.txt (version and hashes) of these distributions."""
    blocks = re.split(r"\n(?=[a-z0-9])", (ROOT / "requirements.txt").read_text())
    chosen = [b for b in blocks if b.split("==")[0].lower() in names]
    assert len(chosen) == len(names), sorted(names - {b.split("==")[0].lower() for b in chosen})
    path.write_text("\n".join(chosen) + "\n")


def _clean(home):
    """An environment with nothing of the suite's: no ANSIBLE_* variable, and run outside the clone's ansible.cfg."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "ANSIBLE_COLLECTIONS_PATH": str(home / "collections")}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    work = tmp_path_factory.mktemp("fresh")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    # What the collection declares it needs (meta/python-requirements.txt), at the suite's pinned versions.
    declared = [line.split(">=")[0] for line in (ROOT / "meta" / "python-requirements.txt").read_text().splitlines()
                if line and not line.startswith("#")]
    _pinned(_closure(["ansible-core", *declared]), work / "requirements.txt")
    pip = subprocess.run([str(work / "venv" / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                          "--require-hashes", "--no-deps", "-r", str(work / "requirements.txt")],
                         capture_output=True, text=True, check=False)
    assert pip.returncode == 0, pip.stderr
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(ROOT), "--output-path", str(work)],
                           capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    collections = work / "collections"
    install = subprocess.run([str(work / "venv" / "bin" / "ansible-galaxy"), "collection", "install", "--no-deps",
                              "-p", str(collections), *map(str, work.glob("thebot-platform-*.tar.gz"))],
                             cwd=work, env=_clean(work), capture_output=True, text=True, check=False)
    assert install.returncode == 0 and "installed successfully" in install.stdout, install.stdout + install.stderr
    # kubernetes.core as the ansible package ships it: Galaxy is out of reach here.
    bundled = next(p for p in sys.path if (p and (shutil.os.path.isdir(f"{p}/ansible_collections/kubernetes/core"))))
    shutil.copytree(f"{bundled}/ansible_collections/kubernetes/core", collections / "ansible_collections" / "kubernetes"
                    / "core")
    return work


def test_the_fresh_virtualenv_has_ansible_core_and_the_declared_libraries_only(fresh):
    listed = subprocess.run([str(fresh / "venv" / "bin" / "pip"), "list", "--format", "freeze"], capture_output=True,
                            text=True, check=True).stdout
    assert "ansible-core==" in listed and "kubernetes==" in listed
    assert "ansible==" not in listed and "molecule==" not in listed, "not the suite's tool chain"


@pytest.mark.parametrize("kind,name", [(k, n) for k, names in PLUGINS.items() for n in names])
def test_ansible_doc_documents_every_plugin(fresh, kind, name):
    doc = subprocess.run([str(fresh / "venv" / "bin" / "ansible-doc"), "-t", kind, f"thebot.platform.{name}", "--json"],
                         cwd=fresh, capture_output=True, text=True, check=False,
                         env=_clean(fresh))
    assert doc.returncode == 0, doc.stderr
    assert f"thebot.platform.{name}" in doc.stdout and '"short_description"' in doc.stdout


def test_the_fresh_install_deploys_by_fqcn(deploy, fresh):
    result = deploy(playbook="thebot.platform.deploy", collections=fresh / "collections", bin_dir=fresh / "venv" / "bin")
    assert result.returncode == 0, result.output[-4000:]
    assert "revision 1, deployed, changed" in result.output
