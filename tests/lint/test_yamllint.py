"""Every YAML file of the repository passes yamllint in strict mode (warnings fail too)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_yamllint_strict():
    result = subprocess.run([sys.executable, "-m", "yamllint", "--strict", "--format", "parsable", "."],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"yamllint found problems:\n{result.stdout}{result.stderr}"
