"""ansible-lint with the production profile (.config/ansible-lint.yml) reports nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_ansible_lint_production_profile():
    environment = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", NO_COLOR="1")
    environment.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the repository's ansible.cfg says where the collection is
    result = subprocess.run([str(BIN / "ansible-lint"), "--offline", "--strict", "-f", "pep8"], cwd=ROOT,
                            capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed." in result.stdout + result.stderr
