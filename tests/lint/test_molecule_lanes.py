"""make molecule runs the scenarios in lanes (MOLECULE_LANE_<x> in the Makefile): every scenario is in exactly one, so
none is left out of make test when a scenario is added, and none runs twice."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_scenario_is_in_exactly_one_lane():
    lanes = dict(re.findall(r"^MOLECULE_LANE_(\w+) := (.*)$", (ROOT / "Makefile").read_text(), re.M))
    assert len(lanes) >= 2, f"make molecule has lanes: {lanes}"
    placed = [scenario for names in lanes.values() for scenario in names.split()]
    scenarios = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
    assert sorted(placed) == scenarios, f"lanes {lanes} against the scenarios {scenarios}"
    assert "molecule-lane-%:" in (ROOT / "Makefile").read_text()
    lane_flags = re.search(r'--lane "a=molecule-lane-a" --lane "b=molecule-lane-b"', (ROOT / "Makefile").read_text())
    assert lane_flags and set(lanes) == {"a", "b"}, "make molecule runs every lane the Makefile defines"
