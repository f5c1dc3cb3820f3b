"""ansible-doc is the manual: every plugin documents itself by its fully qualified name."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PLUGINS = [("filter", "quantity"), ("filter", "quantity_compare"), ("filter", "image_ref"),
           ("filter", "duration_seconds"), ("filter", "backup_expired"), ("module", "validate_values"), ("module", "helm_release_recover"),
           ("module", "release_lock"), ("module", "cluster_version"), ("module", "release_status"),
           ("module", "release_drift"), ("module", "k8s_read"),
           ("module", "helm_version"), ("module", "helm_template"), ("module", "helm_rollback"), ("module", "credentials_secret"),
           ("vars", "yaml_check")]


@pytest.mark.parametrize("kind,name", PLUGINS)
def test_ansible_doc(kind, name):
    result = subprocess.run([str(BIN / "ansible-doc"), "-t", kind, "--json", f"thebot.platform.{name}"],
                            capture_output=True, text=True, env=dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}"), check=False)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)[f"thebot.platform.{name}"]
    assert doc["doc"]["short_description"] and doc["examples"] and doc["return"], doc.keys()


def test_every_plugin_file_is_listed():
    root = Path(__file__).resolve().parents[3] / "plugins"
    found = {("filter", p.stem) for p in (root / "filter").glob("*.py") if p.stem != "__init__"}
    found |= {("module", p.stem) for p in (root / "modules").glob("*.py") if p.stem != "__init__"}
    found |= {("vars", p.stem) for p in (root / "vars").glob("*.py") if p.stem != "__init__"}
    assert found == set(PLUGINS), "document and list every plugin here"


def test_every_action_plugin_is_documented_by_its_module():
    """An action plugin runs in place of the module of its name: the module's documentation is its manual."""
    root = Path(__file__).resolve().parents[3] / "plugins"
    actions = {p.stem for p in (root / "action").glob("*.py") if p.stem != "__init__"}
    assert actions and actions <= {name for kind, name in PLUGINS if kind == "module"}, actions
