"""Where a no-op redeploy of deploy.yml spends its time: start-up, each task, each helm call.

    make bench      # after bench.py: 5 no-op runs on the bench cluster; writes bench/results/<date>-<host>/profile.md

Each task's time comes from bench/callback_plugins/bench_timer.py; each helm call from a shell shim put
in front of the test bed's helm (prerequisites_helm_binary), which logs the subcommand and its duration.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench

SHIM = """#!/bin/bash
# Logs "start end subcommand" for each helm call (never the rest of argv), then is helm.
start=$(date +%s.%N)
{helm} "$@"
code=$?
echo "$start $(date +%s.%N) $1 $2" >> {log}
exit $code
"""


def seconds_of(argv, env, runs) -> float:
    samples = []
    for _run in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, cwd=bench.ROOT, capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def profile(bencher: bench.Bench, runs: int) -> str:  # pylint: disable=too-many-locals
    work = bencher.work
    bencher.cluster.up()
    namespace = f"bench-{bencher.token}-profile"
    install = bencher.command("ours", namespace, "install", 0)
    results = bencher.timed([install])[2]
    bencher.expect(results, True, "the install before the profile")

    helm_log = work / "helm-calls.log"
    shim = work / "helm"
    shim.write_text(SHIM.format(helm=bencher.helm, log=helm_log))
    shim.chmod(0o755)
    noop = [arg.replace(f"prerequisites_helm_binary={bencher.helm}", f"prerequisites_helm_binary={shim}")
            for arg in install]
    env = bencher.env()
    env.update(ANSIBLE_CALLBACK_PLUGINS=str(bench.ROOT / "bench" / "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="bench_timer")
    totals, tasks, calls = [], {}, {}
    for run in range(runs):
        timings = work / f"tasks-{run}.jsonl"
        helm_log.unlink(missing_ok=True)
        env["THEBOT_BENCH_TIMINGS"] = str(timings)
        started = time.perf_counter()
        result = subprocess.run(noop, env=env, cwd=bench.ROOT, capture_output=True, text=True, check=False)
        totals.append(time.perf_counter() - started)
        if result.returncode or "changed=0" not in result.stdout:
            raise bench.BenchError(f"the no-op run changed something or failed:\n{result.stdout[-2000:]}")
        for line in timings.read_text().splitlines():
            entry = json.loads(line)
            tasks.setdefault((entry["role"], entry["task"], entry["action"], entry["outcome"]), []).append(
                entry["seconds"] or 0.0)
        per_run = {}
        for line in helm_log.read_text().splitlines():
            start, end, *command = line.split()
            per_run.setdefault(" ".join(command), []).append(float(end) - float(start))
        for command, durations in per_run.items():
            calls.setdefault(command, []).append((len(durations), sum(durations)))

    empty = work / "empty.yml"
    empty.write_text('- {name: Nothing, hosts: all, connection: local, gather_facts: false, tasks: []}\n')
    python = seconds_of([sys.executable, "-c", "pass"], env, runs)
    ansible_import = seconds_of([sys.executable, "-c", "import ansible.cli.playbook"], env, runs)
    startup = seconds_of([str(bench.BIN / "ansible-playbook"), str(empty), "-i", str(bench.ROOT / "inventories/dev")],
                         env, runs)
    bencher.delete([namespace])

    total = statistics.median(totals)
    task_rows = sorted(((statistics.median(v), k) for k, v in tasks.items()), reverse=True)
    task_sum = sum(row[0] for row in task_rows)
    helm_rows = sorted(((statistics.median(t for _n, t in v), statistics.median(n for n, _t in v), k)
                        for k, v in calls.items()), reverse=True)
    helm_sum = sum(row[0] for row in helm_rows)
    ran = [row for row in task_rows if row[1][3] != "skipped"]
    lines = [f"# The no-op path of deploy.yml (dev), median of {runs} runs: {total:.2f} s", "",
             "| part | seconds | share |", "| --- | --- | --- |",
             f"| Python start-up (`python -c pass`) | {python:.2f} | {python / total:.0%} |",
             f"| importing ansible-playbook | {ansible_import - python:.2f} | {(ansible_import - python) / total:.0%} |",
             f"| the rest of ansible-playbook's start-up: config, inventory, vars plugins, one empty play "
             f"| {startup - ansible_import:.2f} | {(startup - ansible_import) / total:.0%} |",
             f"| tasks: {len(ran)} ran, {len(task_rows) - len(ran)} skipped (helm included) "
             f"| {task_sum:.2f} | {task_sum / total:.0%} |",
             f"| of which helm: {sum(row[1] for row in helm_rows):.0f} calls | {helm_sum:.2f} | {helm_sum / total:.0%} |",
             f"| what is left: vault, templating, the play's own work | {total - startup - task_sum:.2f} "
             f"| {(total - startup - task_sum) / total:.0%} |",
             "", "## Tasks, slowest first", "", "| role | task | action | outcome | seconds |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {role or '-'} | {task} | {action} | {outcome} | {seconds:.3f} |"
              for seconds, (role, task, action, outcome) in task_rows]
    lines += ["", "## helm calls", "", "| subcommand | calls per run | seconds per run |", "| --- | --- | --- |"]
    lines += [f"| `helm {command}` | {count:.0f} | {seconds:.3f} |" for seconds, count, command in helm_rows]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="results folder (default bench/results/<date>-<host>)")
    parser.add_argument("--cluster", default="thebot-bench")
    parser.add_argument("--down", action="store_true", help="stop the cluster afterwards")
    args = parser.parse_args(argv)
    out = args.out or bench.ROOT / "bench" / "results" / f"{datetime.date.today()}-{platform.node()}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="thebot-profile-") as work:
        bencher = bench.Bench(args.cluster, Path(work))
        try:
            text = profile(bencher, args.runs)
        except (bench.BenchError, bench.testbed.TestbedError) as error:
            print(f"profile: {error}", file=sys.stderr)
            return 1
        finally:
            if args.down:
                bencher.cluster.down()
    (out / "profile.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
