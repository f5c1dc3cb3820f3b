"""meta/runtime.yml's requires_ansible is what the suite runs: both locked ansible-core versions, nothing older."""

import re
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]


def _core(lock):
    """The ansible-core version a lock file pins."""
    text = (ROOT / lock).read_text()
    pinned = re.search(r"^ansible-core==(\S+)", text, re.M)
    return pinned.group(1)


def test_requires_ansible_admits_the_two_tested_versions_and_starts_at_the_older():
    required = SpecifierSet(yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"])
    tested = sorted({_core("requirements.txt"), _core("requirements-next.txt")})
    assert len(tested) == 2 and tested[0].startswith("2.19.") and tested[1].startswith("2.21."), tested
    assert all(version in required for version in tested), (required, tested)
    older = tested[0].rsplit(".", 1)[0]
    assert f">={older}.0" in str(required), "nothing older than what is tested is claimed"
