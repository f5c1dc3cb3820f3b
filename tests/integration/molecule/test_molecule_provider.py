"""molecule's scenarios select their cluster: the test bed, or kind where Docker, kind and a node image exist.

The scenarios themselves run in "make test" after pytest (make molecule); this proves the switch.
"""

import os
import subprocess
import sys
from pathlib import Path

import testbed

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def molecule(tmp_path, *args):
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", NO_COLOR="1", THEBOT_MOLECULE_PROVIDER="kind",
               THEBOT_MOLECULE_CLUSTER="molecule-kind-probe", MOLECULE_EPHEMERAL_DIRECTORY=str(tmp_path))
    return subprocess.run([str(BIN / "molecule"), *args, "-s", "default"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)


def test_kind_provider_runs_where_it_can_and_says_why_where_it_cannot(tmp_path):
    reason = testbed.kind_unavailable()
    created = molecule(tmp_path, "create")
    output = " ".join((created.stdout + created.stderr).split())
    if reason is not None:
        assert created.returncode != 0, output[-3000:]
        assert f"kind provider skipped: {reason}" in output, output[-3000:]
        return
    try:  # Docker, kind and a node image are here: the kind cluster is made and recorded for real.
        assert created.returncode == 0, output[-3000:]
        assert '"provider": "kind"' in (tmp_path / "cluster.yml").read_text()
    finally:
        molecule(tmp_path, "destroy")
