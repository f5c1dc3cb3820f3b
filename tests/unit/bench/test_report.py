"""bench/bench.py's arithmetic: medians, ratios against raw helm, and the targets' verdicts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

import bench  # noqa: E402


def samples(**seconds):
    """One sample per (tool, scenario) = list of seconds (one per run); noop revisions 0 unless *_rev given."""
    out = []
    for key, values in seconds.items():
        tool, scenario = key.split("__")
        tool = tool.replace("_", "-")
        scenario = scenario.replace("_", "-")
        for run, value in enumerate(values, 1):
            out.append(bench.Sample(tool, scenario, run, value, value / 2, 0 if scenario == "noop" else None))
    return out


def test_the_median_not_the_mean_and_ratios_against_raw_helm():
    table, _targets = bench.report(samples(helm__install=[10, 11, 90], ours__install=[20, 22, 25]), [])
    row = next(line for line in table.splitlines() if line.startswith("| install"))
    assert "11.00 s" in row and "22.00 s (2.00x)" in row


def test_targets_met_and_missed_are_both_reported():
    data = samples(helm_status_diff__noop=[2.0], ours__noop=[2.9], helm__upgrade=[10.0], ours__upgrade=[12.5],
                   ours__parallel_1=[10.0], ours__parallel_10=[29.0])
    _table, targets = bench.report(data, [1, 10])
    verdicts = {name: met for name, _measured, met in targets}
    assert verdicts == {"no-op redeploy creates 0 revisions": True,
                        "no-op redeploy <= 1.5x raw helm status + helm diff": True,
                        "changed deploy adds <= 2 s over raw helm (median)": False,
                        "N = 10 takes <= 3x N = 1 (ours)": True}


def test_a_noop_that_adds_a_revision_misses_the_target():
    data = samples(helm_status_diff__noop=[2.0], ours__noop=[2.0])
    data[-1].revisions = 1
    _table, targets = bench.report(data, [])
    assert ("no-op redeploy creates 0 revisions", "+1 revisions", False) in targets


def test_the_targets_against_the_bare_task_and_over_an_inventory_of_clusters():
    data = samples(bare__noop=[2.0, 2.2, 9.0], ours__noop=[2.9, 3.1, 3.0], bare__upgrade=[6.0], ours__upgrade=[8.0],
                   bare__reject=[1.5], ours__reject=[1.0], ours__inventory_1=[10.0], ours__inventory_10=[31.0])
    table, targets = bench.report(data, [1, 10])
    found = {name: (measured, met) for name, measured, met in targets}
    assert found["no-op redeploy <= 1.5x the bare task's no-op"] == ("3.00 s vs 2.20 s = 1.36x", True)
    assert found["no-op redeploy's CPU seconds <= 2x the bare task's"] == ("1.50 s vs 1.10 s = 1.36x", True)
    assert found["changed deploy <= the bare task + 1.5 s"] == ("+2.00 s", False)
    assert found["rejection <= the bare task's rejection"][1] is True
    assert found["deploy.yml over 10 clusters <= 3x over 1"] == ("31.00 s vs 10.00 s = 3.10x", False)
    assert "| inventory-10 |" in table
