"""The chart README's parameters table is generated from values.yaml's @param comments, never by hand."""

import shutil
import subprocess
from pathlib import Path

from helpers.chart import CHART, ROOT

GENERATOR = ROOT / "tests" / "tools" / "readme-generator" / "node_modules" / ".bin" / "readme-generator"


def _generate(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(GENERATOR), "--values", str(directory / "values.yaml"),
                           "--readme", str(directory / "README.md")], capture_output=True, text=True, check=False)


def test_parameters_table_is_fresh(tmp_path):
    assert GENERATOR.exists(), "run 'make test' (it installs the generator with npm ci)"
    for name in ("values.yaml", "README.md"):
        shutil.copy(CHART / name, tmp_path / name)
    result = _generate(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "README.md").read_text() == (CHART / "README.md").read_text(), \
        "charts/thebot/README.md is stale: run 'make chart-readme' and commit it"


def test_an_undocumented_value_fails_the_generator(tmp_path):
    shutil.copy(CHART / "README.md", tmp_path / "README.md")
    values = (CHART / "values.yaml").read_text() + "\nundocumented: true\n"
    (tmp_path / "values.yaml").write_text(values)
    result = _generate(tmp_path)
    assert result.returncode != 0 and "undocumented" in result.stdout + result.stderr, result.stdout + result.stderr
