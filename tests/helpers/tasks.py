"""Run one of the collection's plugins as ansible runs it: a task through `ansible localhost` (an action plugin
of the name wins, as in a playbook), or its module as a process of its own, as a host would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ansible_collections

ANSIBLE = str(Path(sys.executable).parent / "ansible")


def run_task(name: str, args: dict, *options: str, pids: list | None = None) -> tuple:
    """(the task's result, ansible's whole output) of thebot.platform.<name> (or of another collection's module,
    by its full name) run on the controller; the PID of the `ansible` process that ran it is appended to pids,
    if given."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    process = subprocess.Popen([ANSIBLE, "localhost", "-c", "local", "-m", name if name.count(".") == 2 else f"thebot.platform.{name}",
                                "-a", json.dumps(args), *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    if pids is not None:
        pids.append(process.pid)
    stdout, stderr = process.communicate(timeout=300)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    output = result.stdout + result.stderr
    task = json.loads(result.stdout[result.stdout.index("{"):])["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return task, output


def run_module(name: str, args: dict, directory: Path) -> dict:
    """What the module thebot.platform.<name> returns for args, run as its own process."""
    (directory / "args.json").write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    collections = str(Path(ansible_collections.__path__[0]).parent)
    result = subprocess.run([sys.executable, "-m", f"ansible_collections.thebot.platform.plugins.modules.{name}",
                             str(directory / "args.json")], capture_output=True, text=True, check=False,
                            env=dict(os.environ, PYTHONPATH=collections))
    return json.loads(result.stdout)
