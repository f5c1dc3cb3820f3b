"""molecule's scenarios select their cluster: kind with real containers by default (make molecule runs them
there), or the test bed's kwok nodes with THEBOT_MOLECULE_PROVIDER=testbed, proven here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def molecule(tmp_path, provider, *args):
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", NO_COLOR="1", THEBOT_MOLECULE_PROVIDER=provider,
               THEBOT_MOLECULE_CLUSTER="molecule-provider-probe", MOLECULE_EPHEMERAL_DIRECTORY=str(tmp_path))
    return subprocess.run([str(BIN / "molecule"), *args, "-s", "default"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)


def test_the_testbed_provider_makes_and_records_a_kwok_cluster(tmp_path):
    try:
        created = molecule(tmp_path, "testbed", "create")
        assert created.returncode == 0, " ".join((created.stdout + created.stderr).split())[-3000:]
        record = json.loads((tmp_path / "cluster.yml").read_text())
        assert record["provider"] == "kwok" and record["context"] == "testbed-molecule-provider-probe"
    finally:
        destroyed = molecule(tmp_path, "testbed", "destroy")
    assert destroyed.returncode == 0, destroyed.stdout[-2000:]


def test_an_unknown_provider_is_refused_naming_the_choices(tmp_path):
    created = molecule(tmp_path, "docker-desktop", "create")
    output = " ".join((created.stdout + created.stderr).split())
    assert created.returncode != 0
    assert "invalid choice: 'docker-desktop' (choose from 'kwok', 'kind')" in output, output[-3000:]
