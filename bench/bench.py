"""What a deploy of THE_BOT costs: deploy.yml against raw helm, helmfile and a bare kubernetes.core.helm task.

Every tool deploys the dev environment's chart values to the same test-bed cluster (bench/README.md):

    make bench          # 5 runs of each; N = 1, 5, 10 in parallel; results in bench/results/<date>-<host>/
    make bench-smoke    # 1 run of deploy.yml and raw helm, N = 1 and 2, into .test-logs/bench/: proves it works (CI)

Prints figures and writes them down; it never judges a time. It fails only when a tool did not do what
the scenario asks (an install that failed, a bad value accepted), since then its time means nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "testbed"))
import testbed  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
VAULT_PASSWORD = ROOT / "inventories" / "demo-vault-password.txt"
CHART = ROOT / "charts" / "thebot"
RELEASE = "thebot"
# A value every tool can change the same way: the image tag rolls every workload (a real upgrade).
UPGRADE_TAG = "1.0.0-bench{run}"
# A value every tool must refuse: the chart's schema and our validation both say replicas >= 1.
BAD_REPLICAS = 0
# The scenarios of one run, in order, each on the namespace "install" made.
SCENARIOS = ("install", "noop", "upgrade", "reject")
TOOLS = ("ours", "bare", "helm", "helmfile")
TOOL_TITLES = {"ours": "deploy.yml (ours)", "bare": "bare kubernetes.core.helm", "helm": "raw helm",
               "helmfile": "helmfile apply", "helm-status-diff": "raw helm status + helm diff"}


class BenchError(Exception):
    """A tool did not do what the scenario asks: its figure would mean nothing."""


@dataclass
class Sample:
    tool: str
    scenario: str
    run: int
    seconds: float
    cpu: float                      # user + system seconds of every process the command started
    revisions: int | None = None    # helm revisions the command added
    extra: dict = field(default_factory=dict)


class Bench:  # pylint: disable=too-many-instance-attributes
    def __init__(self, cluster: str, workdir: Path, logs: Path | None = None):
        self.cluster = testbed.Cluster(cluster)
        self.context = f"testbed-{cluster}"
        self.work = workdir
        self.work.mkdir(parents=True, exist_ok=True)
        # Every command's output; kept only where asked (make bench-smoke: where the secret scan looks).
        self.logs = logs or workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.token = uuid.uuid4().hex[:4]
        self.helm = testbed.binary("helm")
        self.plugins = str(testbed.HOME / "helm-plugins")
        self.helmfile = None
        self.values = self.work / "values.yaml"
        self.secret = None
        self.namespace_labels = None
        self.samples: list[Sample] = []
        self._count = 0

    # ---------------------------------------------------------------------------------------- running
    def env(self) -> dict:
        env = dict(os.environ, KUBECONFIG=str(self.cluster.kubeconfig), HELM_PLUGINS=self.plugins,
                   HELM_KUBECONTEXT=self.context, ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                   PATH=f"{BIN}:{testbed.HOME / 'bin'}:{os.environ['PATH']}")
        env.pop("ANSIBLE_COLLECTIONS_PATH", None)
        return env

    def start(self, argv: list) -> tuple:
        self._count += 1
        log = self.logs / f"{self._count:04d}-{Path(argv[0]).name}.log"
        handle = log.open("w")
        handle.write(f"$ {shlex.join(map(str, argv[:3]))} ...\n")
        handle.flush()
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=self.env())
        return process, handle, log

    def timed(self, commands: list) -> tuple:
        """Run commands at once; wall seconds until the last ends, CPU seconds of all, and each (rc, log)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        running = [self.start(argv) for argv in commands]
        results = []
        for process, handle, log in running:
            results.append((process.wait(), log))
            handle.close()
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return seconds, cpu, results

    @staticmethod
    def expect(results: list, ok: bool, what: str) -> None:
        for code, log in results:
            if (code == 0) != ok:
                tail = "\n".join(log.read_text().splitlines()[-15:])
                raise BenchError(f"{what}: exit {code}, expected {'0' if ok else 'a refusal'} ({log}):\n{tail}")

    def kubectl(self, *args, stdin=None):
        return self.cluster.kubectl(*args, stdin=stdin)

    def revisions(self, namespace: str) -> int:
        out = subprocess.run([self.helm, "history", RELEASE, "-n", namespace, "-o", "json"], env=self.env(),
                             capture_output=True, text=True, check=False)
        return len(json.loads(out.stdout)) if out.returncode == 0 else 0

    # ------------------------------------------------------------------------------------ the tools
    def command(self, tool: str, namespace: str, scenario: str, run: int) -> list:
        """The argv that makes tool do scenario on namespace."""
        tag = UPGRADE_TAG.format(run=run) if scenario == "upgrade" else None
        bad = scenario == "reject"
        if tool == "ours":
            argv = [BIN / "ansible-playbook", ROOT / "deploy.yml", "-i", ROOT / "inventories" / "dev",
                    "-e", f"thebot_kubeconfig={self.cluster.kubeconfig}", "-e", f"thebot_context={self.context}",
                    "-e", f"thebot_namespace={namespace}", "-e", f"prerequisites_helm_binary={self.helm}",
                    "-e", f"prerequisites_helm_plugins_dir={self.plugins}",
                    "--vault-password-file", VAULT_PASSWORD]
            if tag:
                argv += ["-e", f"thebot_image_tag={tag}"]
            if bad:
                argv += ["-e", json.dumps({"thebot_cluster_chart_values": {"backend": {"replicaCount": BAD_REPLICAS}}})]
            return [str(arg) for arg in argv]
        if tool == "bare":
            overrides = {"image": {"tag": tag}} if tag else {}
            if bad:
                overrides = {"backend": {"replicaCount": BAD_REPLICAS}}
            return [str(BIN / "ansible-playbook"), str(ROOT / "bench" / "bare.yml"), "-i", "localhost,",
                    "-e", json.dumps({"bench_namespace": namespace, "bench_values_file": str(self.values),
                                      "bench_set": overrides, "bench_helm": self.helm,
                                      "bench_helm_plugins": self.plugins, "bench_context": self.context,
                                      "bench_kubeconfig": str(self.cluster.kubeconfig)})]
        sets = [f"image.tag={tag}"] if tag else [f"backend.replicaCount={BAD_REPLICAS}"] if bad else []
        if tool == "helm":
            argv = [self.helm, "upgrade", "--install", RELEASE, str(CHART), "--namespace", namespace,
                    "--values", str(self.values), "--wait", "--timeout", "10m"]
            for value in sets:
                argv += ["--set", value]
            return argv
        if tool == "helmfile":
            state = self.work / f"helmfile-{namespace}-{scenario}.yaml"
            release = {"name": RELEASE, "namespace": namespace, "chart": str(CHART), "values": [str(self.values)]}
            if sets:
                key, value = sets[0].split("=")
                release["set"] = [{"name": key, "value": int(value) if bad else value}]
            # YAML, not JSON: helmfile finds no keys in a one-line JSON document.
            defaults = {"wait": True, "timeout": 600, "kubeContext": self.context}
            state.write_text(yaml.safe_dump({"helmDefaults": defaults, "releases": [release]}))
            return [self.helmfile, "--file", str(state), "--helm-binary", self.helm, "apply", "--skip-deps",
                    "--suppress-secrets"]
        raise ValueError(tool)

    def status_diff(self, namespace: str) -> list:
        """What a no-op must at least cost: ask helm what is deployed, and what would change."""
        return [[self.helm, "status", RELEASE, "--namespace", namespace],
                [self.helm, "diff", "upgrade", RELEASE, str(CHART), "--namespace", namespace,
                 "--values", str(self.values), "--detailed-exitcode"]]

    # ------------------------------------------------------------------------------------ set-up
    def prepare(self, tools: tuple) -> None:
        """The cluster, helmfile where it is measured, and the values every tool deploys: those deploy.yml gives
        helm for dev."""
        print("bench: starting the test bed cluster", self.cluster.name, file=sys.stderr)
        self.cluster.up()
        if "helmfile" in tools:
            print("bench: building helmfile (cached after the first time)", file=sys.stderr)
            self.helmfile = str(testbed.build_tool(testbed.HELMFILE) / "helmfile")
        reference = f"bench-{self.token}-ref"
        # Also the warm-up: the first ansible run compiles and caches what later runs reuse.
        results = self.timed([self.command("ours", reference, "install", 0)])[2]
        self.expect(results, True, "the reference deploy of deploy.yml")
        values = subprocess.run([self.helm, "get", "values", RELEASE, "-n", reference, "-o", "yaml"],
                                env=self.env(), capture_output=True, text=True, check=True).stdout
        self.values.write_text(values)
        # The other tools get what deploy.yml makes before helm runs, untimed: the namespace with its
        # labels and the credentials Secret (by reference in the values; never in them).
        name = json.loads(self.kubectl("get", "namespace", reference, "-o", "json").stdout)
        self.namespace_labels = name["metadata"].get("labels", {})
        secret_name = yaml.safe_load(values)["secrets"]["existingSecret"]
        secret = json.loads(self.kubectl("get", "secret", secret_name, "-n", reference, "-o", "json").stdout)
        self.secret = {"apiVersion": "v1", "kind": "Secret", "type": secret.get("type", "Opaque"),
                       "metadata": {"name": secret_name, "labels": secret["metadata"].get("labels", {})},
                       "data": secret["data"]}
        self.delete([reference])

    def namespace(self, tool: str, label: str) -> str:
        """A fresh namespace; for every tool but ours, with what deploy.yml would have made before helm."""
        name = f"bench-{self.token}-{tool}-{label}"
        if tool != "ours":
            self.kubectl("apply", "-f", "-", stdin=json.dumps(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": self.namespace_labels}}))
            self.kubectl("apply", "-n", name, "-f", "-", stdin=json.dumps(self.secret))
        return name

    def delete(self, namespaces: list) -> None:
        """Untimed: wait until they are gone, so a later figure does not pay for this one's clean-up."""
        if namespaces:
            self.kubectl("delete", "namespace", *namespaces, "--wait=true", "--timeout=300s")

    # ------------------------------------------------------------------------------------ scenarios
    def record(self, tool, scenario, run, seconds, cpu, **extra) -> Sample:
        sample = Sample(tool, scenario, run, seconds, cpu, extra.pop("revisions", None), extra)
        self.samples.append(sample)
        added = "" if sample.revisions is None else f", {sample.revisions:+d} revisions"
        print(f"bench: run {run} {tool:17} {scenario:9} {seconds:7.2f} s  cpu {cpu:6.2f} s{added}", file=sys.stderr)
        return sample

    def lifecycle(self, tool: str, run: int) -> None:
        namespace = self.namespace(tool, f"r{run}")
        for scenario in SCENARIOS:
            before = self.revisions(namespace)
            seconds, cpu, results = self.timed([self.command(tool, namespace, scenario, run)])
            self.expect(results, scenario != "reject", f"{tool} {scenario} (run {run})")
            added = self.revisions(namespace) - before
            if scenario == "upgrade" and added != 1:
                raise BenchError(f"{tool} upgrade (run {run}) added {added} revisions, not 1: nothing changed")
            if scenario == "reject" and added:
                raise BenchError(f"{tool} reject (run {run}) added {added} revisions")
            self.record(tool, scenario, run, seconds, cpu, revisions=added)
            if tool == "helm" and scenario == "noop":
                commands = self.status_diff(namespace)
                seconds = cpu = 0.0
                for argv in commands:  # one after the other, as a tool would
                    s, c, results = self.timed([argv])
                    self.expect(results, True, "helm status / helm diff")
                    seconds, cpu = seconds + s, cpu + c
                self.record("helm-status-diff", "noop", run, seconds, cpu)
        self.delete([namespace])

    def parallel(self, tool: str, count: int, run: int) -> None:
        namespaces = [self.namespace(tool, f"n{count}-{run}-{index}") for index in range(count)]
        seconds, cpu, results = self.timed([self.command(tool, ns, "install", run) for ns in namespaces])
        self.expect(results, True, f"{tool} x{count} in parallel (run {run})")
        self.record(tool, f"parallel-{count}", run, seconds, cpu)
        self.delete(namespaces)

    def inventory(self, count: int, run: int) -> None:
        """One deploy.yml over an inventory of `count` clusters, as a fleet is deployed: one play, a host per
        cluster, as many forks as hosts. On the test bed each host's cluster is a namespace of the one cluster
        (its own kubeconfig entry would reach the same API server): every host still runs every step."""
        namespaces = [f"bench-{self.token}-fleet{count}-{run}-{index}" for index in range(count)]
        directory = self.work / f"fleet-{count}-{run}"
        directory.mkdir()
        (directory / "group_vars").symlink_to(ROOT / "inventories" / "dev" / "group_vars")
        hosts = {f"cluster-{index}": {"thebot_kubeconfig": str(self.cluster.kubeconfig), "thebot_context": self.context,
                                      "thebot_namespace": namespace} for index, namespace in enumerate(namespaces)}
        (directory / "hosts.yml").write_text(json.dumps({"dev": {"hosts": hosts}}))
        argv = [str(BIN / "ansible-playbook"), str(ROOT / "deploy.yml"), "-i", str(directory / "hosts.yml"),
                "--forks", str(count), "-e", f"prerequisites_helm_binary={self.helm}",
                "-e", f"prerequisites_helm_plugins_dir={self.plugins}", "--vault-password-file", str(VAULT_PASSWORD)]
        seconds, cpu, results = self.timed([argv])
        self.expect(results, True, f"deploy.yml over {count} clusters (run {run})")
        self.record("ours", f"inventory-{count}", run, seconds, cpu)
        self.delete(namespaces)

    def run(self, runs: int, counts: list, tools: tuple = TOOLS, fleets: list | None = None) -> None:
        """fleets: the inventory-N counts (default: counts)."""
        self.prepare(tools)
        for run in range(1, runs + 1):
            # Each run starts with another tool, so a slow patch of the machine does not land on one tool.
            order = tools[run % len(tools):] + tools[:run % len(tools)]
            for tool in order:
                self.lifecycle(tool, run)
            for count in counts:
                for tool in order:
                    self.parallel(tool, count, run)
            for count in counts if fleets is None else fleets:
                self.inventory(count, run)


# ---------------------------------------------------------------------------------------- reporting

def medians(samples: list) -> dict:
    table = {}
    for sample in samples:
        table.setdefault((sample.tool, sample.scenario), []).append(sample)
    return {key: {"seconds": statistics.median(s.seconds for s in group),
                  "cpu": statistics.median(s.cpu for s in group),
                  "revisions": max((s.revisions for s in group if s.revisions is not None), default=None),
                  "runs": len(group)}
            for key, group in table.items()}


def report(samples: list, counts: list, fleets: list | None = None) -> tuple:
    """The table (Markdown) and the targets' verdicts, from the samples alone."""
    med = medians(samples)
    fleets = counts if fleets is None else fleets
    scenarios = list(SCENARIOS) + [f"parallel-{n}" for n in counts] + [f"inventory-{n}" for n in fleets]
    lines = ["| scenario | " + " | ".join(TOOL_TITLES[t] for t in TOOLS) + " |",
             "| --- |" + " --- |" * len(TOOLS)]
    for scenario in scenarios:
        base = med.get(("helm", scenario))
        cells = []
        for tool in TOOLS:
            cell = med.get((tool, scenario))
            if not cell:
                cells.append("-")
                continue
            text = f"{cell['seconds']:.2f} s"
            if base and tool != "helm":
                text += f" ({cell['seconds'] / base['seconds']:.2f}x)"
            if cell["revisions"] is not None and scenario == "noop":
                text += f", {cell['revisions']:+d} rev"
            cells.append(text)
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    runs = max((v["runs"] for v in med.values()), default=0)
    lines.append("")
    lines.append(f"Median wall-clock seconds of {runs} run(s); in brackets, the ratio to raw helm. "
                 "CPU seconds (user + system, every process) are in results.json. parallel-N: N releases at once, "
                 "a process each; inventory-N: one deploy.yml over an inventory of N clusters.")

    targets = []
    status_diff = med.get(("helm-status-diff", "noop"))
    ours_noop = med.get(("ours", "noop"))
    if status_diff and ours_noop:
        ratio = ours_noop["seconds"] / status_diff["seconds"]
        targets.append(("no-op redeploy creates 0 revisions", f"{ours_noop['revisions']:+d} revisions",
                        ours_noop["revisions"] == 0))
        targets.append(("no-op redeploy <= 1.5x raw helm status + helm diff",
                        f"{ours_noop['seconds']:.2f} s vs {status_diff['seconds']:.2f} s = {ratio:.2f}x", ratio <= 1.5))
    ours_up, helm_up = med.get(("ours", "upgrade")), med.get(("helm", "upgrade"))
    if ours_up and helm_up:
        over = ours_up["seconds"] - helm_up["seconds"]
        targets.append(("changed deploy adds <= 2 s over raw helm (median)", f"{over:+.2f} s", over <= 2))
    targets += scaling(med, "parallel", counts, "N = {many} takes <= 3x N = {one} (ours)")
    targets += against_bare(med, fleets)
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {name} | {measured} | {'yes' if met else 'NO'} |" for name, measured, met in targets]
    return "\n".join(lines) + "\n", targets


def scaling(med: dict, scenario: str, counts: list, name: str) -> list:
    """Ours at the largest N of a scenario against the smallest, within 3x."""
    one, many = (med.get(("ours", f"{scenario}-{n}")) for n in (min(counts or [1]), max(counts or [1])))
    if not (counts and max(counts) > 1 and one and many):
        return []
    ratio = many["seconds"] / one["seconds"]
    return [(name.format(one=min(counts), many=max(counts)),
             f"{many['seconds']:.2f} s vs {one['seconds']:.2f} s = {ratio:.2f}x", ratio <= 3)]


def against_bare(med: dict, counts: list) -> list:
    """The targets of "one pass through the cluster": deploy.yml against a bare kubernetes.core.helm task."""
    targets = []
    ours, bare = med.get(("ours", "noop")), med.get(("bare", "noop"))
    if ours and bare:
        ratio, cpu = ours["seconds"] / bare["seconds"], ours["cpu"] / bare["cpu"]
        targets.append(("no-op redeploy <= 1.5x the bare task's no-op",
                        f"{ours['seconds']:.2f} s vs {bare['seconds']:.2f} s = {ratio:.2f}x", ratio <= 1.5))
        targets.append(("no-op redeploy's CPU seconds <= 2x the bare task's",
                        f"{ours['cpu']:.2f} s vs {bare['cpu']:.2f} s = {cpu:.2f}x", cpu <= 2))
    ours, bare = med.get(("ours", "upgrade")), med.get(("bare", "upgrade"))
    if ours and bare:
        over = ours["seconds"] - bare["seconds"]
        targets.append(("changed deploy <= the bare task + 1.5 s", f"{over:+.2f} s", over <= 1.5))
    ours, bare = med.get(("ours", "reject")), med.get(("bare", "reject"))
    if ours and bare:
        targets.append(("rejection <= the bare task's rejection",
                        f"{ours['seconds']:.2f} s vs {bare['seconds']:.2f} s = {ours['seconds'] / bare['seconds']:.2f}x",
                        ours["seconds"] <= bare["seconds"]))
    return targets + scaling(med, "inventory", counts, "deploy.yml over {many} clusters <= 3x over {one}")


def plot(samples: list, counts: list, path: Path) -> None:
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel

    med = medians(samples)
    figure, axes = pyplot.subplots(figsize=(7, 4.5), dpi=110)
    for tool in TOOLS:
        points = [(n, med[(tool, f"parallel-{n}")]["seconds"]) for n in counts if (tool, f"parallel-{n}") in med]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=TOOL_TITLES[tool])
    axes.set_xlabel("releases deployed in parallel (N)")
    axes.set_ylabel("wall-clock seconds until all are deployed (median)")
    axes.set_xticks(counts)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend()
    axes.set_title("THE_BOT dev install on the test bed, N releases at once")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def machine() -> dict:
    def version(argv):
        out = subprocess.run(argv, capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else "unknown"

    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0] if Path("/proc/meminfo").exists() else ""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu": cpu, "memory": meminfo.rsplit(":", maxsplit=1)[-1].strip(),
            "kernel": platform.release(), "python": platform.python_version(),
            "ansible": version([str(BIN / "ansible"), "--version"]),
            "helm": version([testbed.binary("helm"), "version", "--short"]),
            "kube-apiserver": version([testbed.binary("kube-apiserver"), "--version"]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each scenario and tool (the median is kept)")
    parser.add_argument("--parallel", default="1,5,10", help="releases deployed at once, comma-separated")
    parser.add_argument("--inventory", help="clusters of the inventory-N scenario, comma-separated (default: --parallel)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"tools to measure, of {', '.join(TOOLS)}")
    parser.add_argument("--out", type=Path, help="results folder (default bench/results/<date>-<host>)")
    parser.add_argument("--cluster", default="thebot-bench", help="test bed cluster (its own, left running)")
    parser.add_argument("--logs", type=Path, help="keep every command's output here (default: thrown away)")
    args = parser.parse_args(argv)
    counts = sorted({int(n) for n in args.parallel.split(",")})
    fleets = sorted({int(n) for n in args.inventory.split(",")}) if args.inventory else None
    tools = tuple(t for t in TOOLS if t in args.tools.split(","))
    if not tools or set(args.tools.split(",")) - set(TOOLS):
        parser.error(f"--tools: a comma-separated list of {', '.join(TOOLS)}")
    out = args.out or ROOT / "bench" / "results" / f"{datetime.date.today()}-{platform.node()}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="thebot-bench-") as work:
        bench = Bench(args.cluster, Path(work), args.logs)
        try:
            bench.run(args.runs, counts, tools, fleets)
        except (BenchError, testbed.TestbedError) as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
    table, targets = report(bench.samples, counts, fleets)
    (out / "results.json").write_text(json.dumps(
        {"machine": machine(), "runs": args.runs, "parallel": counts,
         "samples": [sample.__dict__ for sample in bench.samples]}, indent=1) + "\n")
    (out / "table.md").write_text(table)
    plot(bench.samples, counts, out / "parallel.png")
    print(table)
    print(f"bench: {len(bench.samples)} samples; table, plot and machine in {out}")
    missed = [name for name, _measured, met in targets if not met]
    if missed:  # a figure, not a failure: the targets are reported, never asserted
        print(f"bench: targets not met: {'; '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
