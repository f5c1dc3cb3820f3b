"""Run make test's phases: some first, then lanes side by side, then some last; print where the time went.

    python3 tests/tools/lanes.py --logs DIR --first "setup=venv node-tools" \\
        --lane "kind=molecule" --lane "kwok@5=test-kwok" --lane "offline@10=test-offline test-next" --last "scan=scan-secrets"

Each word after "=" is a make target, a phase; a lane's phases run one after another, and a lane stops at its
first failed phase while the other lanes go on. "@N" runs the lane's phases at nice N, so the lane without one
(the real containers, whose probes have deadlines) keeps the cores when they are short. Each phase's output goes
to DIR/phase-<target>.log; a line is printed as each phase starts and ends. At the end: a table of every phase
(lane, start, wall time, the CPU time of its own processes, result and the test runner's closing line), the test
bed's repairs (BedRepaired) with their causes, the tail of each failed phase's log, and a closing line
"phases: N passed, N failed". Exit status 0 only if every phase passed; the "last" phases run only then, the
"always" ones (a teardown) whatever happened. --title names the run in the table (make molecule runs its scenarios
in lanes of their own).

Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

FAILED_TAIL = 300  # lines of a failed phase's log printed at the end (the whole log stays in DIR)
# The closing line of each runner a phase may end with: pytest's ("==== 12 passed, 1 skipped in 3.2s ===="),
# molecule's report, scan_secrets'.
CLOSING = re.compile(r"^=+ (.*(passed|failed|error|no tests ran).*) =+$|^(scan_secrets: .*)$|"
                     r"^(INFO\s+Molecule executed \d+ scenarios? .*)$")
REPAIR = re.compile(r"BedRepaired: (.*)")
KINDS = ("first", "lane", "last", "always")


@dataclass
class Phase:
    target: str
    lane: str
    nice: int = 0
    start: float | None = None
    end: float | None = None
    status: int | None = None  # exit status; None: not run
    cpu: float = 0.0
    log: Path | None = None
    closing: list = field(default_factory=list)

    @property
    def result(self) -> str:
        if self.status is None:
            return "not run"
        return "passed" if self.status == 0 else f"FAILED ({self.status})"


def parse(spec: str, nice_ok: bool = True) -> tuple:
    """'name@nice=target target' -> (name, nice, [targets])."""
    name, targets = spec.split("=", 1) if "=" in spec else (spec, "")
    name, nice = name.split("@", 1) if "@" in name else (name, "")
    if not targets.split() or (nice and not (nice_ok and nice.isdigit())):
        raise SystemExit(f"lanes: {spec!r}: write NAME=TARGET..., or NAME@NICE=TARGET... for a lane")
    return name.strip(), int(nice or 0), targets.split()


class Run:
    def __init__(self, logs: Path, make: str):
        self.logs, self.make = logs, make
        self.origin = time.monotonic()
        self.lock = threading.Lock()

    def clock(self, at: float | None = None) -> str:
        return minutes((at or time.monotonic()) - self.origin)

    def say(self, text: str) -> None:
        with self.lock:
            print(f"lanes: [{self.clock()}] {text}", flush=True)

    def phase(self, phase: Phase) -> int:
        phase.log = self.logs / f"phase-{phase.target}.log"
        command = [self.make, "--no-print-directory", phase.target]
        if phase.nice:
            command = ["nice", "-n", str(phase.nice), *command]
        phase.start = time.monotonic()
        self.say(f"{phase.lane}: {phase.target} started")
        with phase.log.open("w") as out:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            # wait4: the CPU time of the phase's own processes (those it waited for; the test clusters' daemons,
            # detached on purpose, are not counted).
            _pid, status, usage = os.wait4(process.pid, 0)
        phase.end = time.monotonic()
        phase.status = os.waitstatus_to_exitcode(status)
        phase.cpu = usage.ru_utime + usage.ru_stime
        phase.closing = [m.group(1) or m.group(3) or m.group(4) for m in map(CLOSING.match, read(phase.log)) if m]
        self.say(f"{phase.lane}: {phase.target} {phase.result} after {minutes(phase.end - phase.start)}")
        return phase.status

    def lane(self, phases: list) -> None:
        for phase in phases:
            if self.phase(phase) != 0:
                return


def read(path: Path) -> list:
    try:
        return path.read_text(errors="replace").splitlines()
    except OSError:
        return []


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def machine_busy() -> float:
    """CPU-seconds the whole machine has been busy since boot (all cores), from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def report(run: Run, phases: list, wall: float, busy: float, title: str) -> None:
    print(f"\n{title}, phase by phase (CPU: the phase's own processes, not the clusters' daemons):")
    rows = [("phase", "lane", "start", "wall", "CPU", "result", "closing line")]
    for p in phases:
        rows.append((p.target, p.lane, run.clock(p.start) if p.start else "-",
                     minutes(p.end - p.start) if p.end else "-", minutes(p.cpu) if p.end else "-", p.result,
                     p.closing[-1] if p.closing else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    cores = os.cpu_count() or 1
    print(f"  whole run: {minutes(wall)} wall; the machine busy {minutes(busy)} of {minutes(wall * cores)} "
          f"CPU time on {cores} cores ({100 * busy / max(wall * cores, 1):.0f}%)")
    repairs = [(p.target, m.group(1)) for p in phases if p.log for line in read(p.log)
               for m in [REPAIR.search(line)] if m]
    print(f"\ntest bed repairs (BedRepaired): {len(repairs)}")
    for target, cause in repairs:
        print(f"  {target}: {cause}")
    for p in phases:
        if p.status not in (0, None):
            lines = read(p.log)
            print(f"\n---- {p.target} FAILED: the last {min(len(lines), FAILED_TAIL)} of {len(lines)} lines of {p.log}")
            print("\n".join(lines[-FAILED_TAIL:]))
    passed = sum(p.status == 0 for p in phases)
    failed = sum(p.status not in (0, None) for p in phases)
    skipped = len(phases) - passed - failed
    print(f"\nphases: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--make", default=os.environ.get("MAKE", "make"))
    parser.add_argument("--first", action="append", default=[], metavar="NAME=TARGET...")
    parser.add_argument("--lane", action="append", default=[], metavar="NAME[@NICE]=TARGET...")
    parser.add_argument("--last", action="append", default=[], metavar="NAME=TARGET...")
    parser.add_argument("--always", action="append", default=[], metavar="NAME=TARGET...")
    parser.add_argument("--title", default="make test")
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    run = Run(args.logs, args.make)
    groups = {key: [[Phase(t, name, nice) for t in targets] for name, nice, targets in
                    (parse(s, key == "lane") for s in getattr(args, key))] for key in KINDS}
    phases = [p for key in KINDS for lane in groups[key] for p in lane]
    busy_before, started = machine_busy(), time.monotonic()
    ok = True
    for lane in groups["first"]:
        ok = ok and all(run.phase(p) == 0 for p in lane)
    if ok:
        threads = [threading.Thread(target=run.lane, args=(lane,)) for lane in groups["lane"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ok = all(p.status == 0 for lane in groups["lane"] for p in lane)
    for lane in groups["last"]:
        ok = ok and all(run.phase(p) == 0 for p in lane)
    for lane in groups["always"]:  # every one of them, whatever the one before did
        for phase in lane:
            ok = run.phase(phase) == 0 and ok
    report(run, phases, time.monotonic() - started, machine_busy() - busy_before, args.title)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
