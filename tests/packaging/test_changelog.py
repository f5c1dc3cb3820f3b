"""changelogs/ is kept with antsibull-changelog: its fragments and changelog.yaml pass its lint."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_antsibull_changelog_lint():
    result = subprocess.run([str(BIN / "antsibull-changelog"), "lint"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_generates(tmp_path):
    """The release step works on a copy: the fragments become galaxy.yml's version's section of CHANGELOG.rst."""
    for folder in ("changelogs", "plugins", "meta"):  # the plugins: it lists the new ones through ansible-doc
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "galaxy.yml", tmp_path)
    result = subprocess.run([str(BIN / "antsibull-changelog"), "release", "--date", "2026-11-24"], cwd=tmp_path,
                            capture_output=True, text=True, check=False,
                            env=dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}"))
    assert result.returncode == 0, result.stdout + result.stderr
    changelog = (tmp_path / "CHANGELOG.rst").read_text()
    assert "thebot.platform Release Notes" in changelog and "v0.1.0" in changelog
    assert "migrations.podLabels" in changelog and "First release" in changelog
    assert "- validate_values - Check THE\\_BOT chart values" in changelog, "new modules are listed"
