"""Write each task's duration to the JSON Lines file $THEBOT_BENCH_TIMINGS (bench/profile.py reads it)."""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Each task's wall time, as JSON Lines, for the benchmarks' profile
description:
  - Appends one line per task and host to the file named by C(THEBOT_BENCH_TIMINGS); writes nothing
    when it is unset. Task names, actions and durations only; never arguments or results.
options: {}
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("THEBOT_BENCH_TIMINGS")
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.perf_counter()  # pylint: disable=protected-access

    def _done(self, result, outcome):
        if not self._path:
            return
        task = result._task  # pylint: disable=protected-access
        started = self._started.get(task._uuid)  # pylint: disable=protected-access
        line = {"task": task.get_name(), "action": task.action, "outcome": outcome,
                "role": task._role.get_name() if task._role else "",  # pylint: disable=protected-access
                "seconds": round(time.perf_counter() - started, 4) if started else None}
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")
