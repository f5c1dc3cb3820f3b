"""tests/tools/lanes.py, make test's runner, on a Makefile of its own: lanes side by side, a lane stopped at its
first failure while the others go on, the table, the repairs, the failed phase's log, the exit status."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import lanes  # noqa: E402

MAKEFILE = """\
slow-a:
\t@date +%s.%N >a.start; sleep 3; date +%s.%N >a.end; echo a done
slow-b:
\t@date +%s.%N >b.start; sleep 3; date +%s.%N >b.end; echo "==== 3 passed in 3.0s ===="
fails:
\t@echo "tests/x.py::test_y FAILED"; echo "UserWarning: BedRepaired: restarted kwok (a probe pod was not Ready)"; exit 3
after-fail:
\t@echo never
last:
\t@echo "scan_secrets: 1 logs scanned: 0 hit(s)"
"""


def run(tmp_path, monkeypatch, capsys, *argv):
    (tmp_path / "Makefile").write_text(MAKEFILE)
    monkeypatch.chdir(tmp_path)
    status = lanes.main(["--logs", str(tmp_path / "logs"), *argv])
    return status, capsys.readouterr().out


def stamp(folder, name):
    return float((folder / name).read_text())


def test_lanes_run_side_by_side_and_all_passing_is_exit_0(tmp_path, monkeypatch, capsys):
    status, out = run(tmp_path, monkeypatch, capsys, "--lane", "one=slow-a", "--lane", "two@5=slow-b",
                      "--last", "scan=last")
    assert status == 0
    # each lane started before the other had ended
    assert stamp(tmp_path, "b.start") < stamp(tmp_path, "a.end") and stamp(tmp_path, "a.start") < stamp(tmp_path, "b.end")
    assert "3 passed in 3.0s" in out and "scan_secrets: 1 logs scanned: 0 hit(s)" in out
    assert out.rstrip().endswith("phases: 3 passed, 0 failed")
    assert (tmp_path / "logs" / "phase-slow-a.log").read_text() == "a done\n"


def test_a_failed_phase_stops_its_lane_not_the_others_and_the_last_phases_do_not_run(tmp_path, monkeypatch, capsys):
    status, out = run(tmp_path, monkeypatch, capsys, "--lane", "bad=fails after-fail",
                      "--lane", "good=slow-b", "--last", "scan=last")
    assert status == 1
    table = out[out.index("phase by phase"):]
    assert "FAILED (2)" in table  # make says 2 for any failed recipe and "not run" in table
    assert not (tmp_path / "logs" / "phase-after-fail.log").exists()
    assert (tmp_path / "logs" / "phase-slow-b.log").exists()
    assert "test bed repairs (BedRepaired): 1" in out and "fails: restarted kwok (a probe pod" in out
    assert "---- fails FAILED" in out and "tests/x.py::test_y FAILED" in out
    assert out.rstrip().endswith("phases: 1 passed, 1 failed, 2 skipped")


def test_a_failed_first_phase_runs_no_lane_but_the_always_phases(tmp_path, monkeypatch, capsys):
    status, out = run(tmp_path, monkeypatch, capsys, "--first", "setup=fails", "--lane", "one=slow-a",
                      "--always", "teardown=last", "--title", "make molecule")
    assert status == 1 and not (tmp_path / "logs" / "phase-slow-a.log").exists()
    assert (tmp_path / "logs" / "phase-last.log").exists()
    assert "make molecule, phase by phase" in out
    assert out.rstrip().endswith("phases: 1 passed, 1 failed, 1 skipped")
