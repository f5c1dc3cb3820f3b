"""ansible-test sanity over the collection, placed where ansible-test expects it.

ansible-test installs each sanity test's pinned requirements into a virtualenv of its own, and
bootstraps pip into it with a script it downloads from a host these machines cannot reach; the
stand-in in tests/tools/sanity/get_pip.py does the same from the package index (see its docstring).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import ansible_test._internal.python_requirements as requirements

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = Path(requirements.__file__).resolve().parents[2]


def _pip_version():
    """The pip version ansible-test bootstraps (its default for every Python)."""
    source = Path(requirements.__file__).read_text()
    return source.split("default_packages = dict(", 1)[1].split("pip='", 1)[1].split("'", 1)[0]


def _collection_tree(tmp_path):
    """The project's files (tracked, and new ones not ignored) under ansible_collections/thebot/platform."""
    target = tmp_path / "ansible_collections" / "thebot" / "platform"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The collection's dependency, beside it as ansible-test requires: the one the ansible package bundles.
    (tmp_path / "ansible_collections" / "kubernetes").mkdir()
    (tmp_path / "ansible_collections" / "kubernetes" / "core").symlink_to(SITE / "ansible_collections" / "kubernetes" / "core")
    return target


def test_sanity(tmp_path):
    cache = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{_pip_version().replace('.', '_')}.py"
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests" / "tools" / "sanity" / "get_pip.py", cache)
    collection = _collection_tree(tmp_path)
    result = subprocess.run([str(BIN / "ansible-test"), "sanity", "--python", f"{sys.version_info[0]}.{sys.version_info[1]}",
                             "--color", "no"], cwd=collection, capture_output=True, text=True, check=False,
                            env=dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}"))
    problems = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith(("ERROR", "FATAL"))]
    assert result.returncode == 0, "\n".join(problems) or result.stdout[-3000:] + result.stderr[-3000:]
    assert 'Running sanity test "validate-modules"' in result.stdout, "the module checks ran"
