# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.release_lock: the deploy lock, taken and given back from
ansible-playbook's process.

Two calls a run (take, give back), each a Python process that imported the Kubernetes client as a module (1.2 s
of every run, bench/results/2026-11-24-vm/profile.md). The options, documentation and outcome are the module's
(plugins/modules/release_lock.py); both run lock_task.run(). The holder is still the run's ansible-playbook
process: this worker's parent, found as the module found it among its ancestors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.thebot.platform.plugins.module_utils.lock_task import (
    ARGUMENT_SPEC, AUTH_OPTIONS, REQUIRED_IF, run)


class _Done(Exception):
    """lock_task.run() ended: exit_json or fail_json, which must not return."""

    def __init__(self, result):
        super(_Done, self).__init__()
        self.result = result


class _Task(object):
    """What lock_task.run() needs of a module, for a task run in this process."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        raise _Done(result)

    def fail_json(self, **result):
        raise _Done(dict(result, failed=True))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # in --check it says what it would do and writes nothing

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # nothing is sent to a host
        if not ARGUMENT_SPEC or importlib.util.find_spec("kubernetes") is None:
            raise AnsibleActionFail("thebot.platform.release_lock needs the collection kubernetes.core and the Python "
                                    "library kubernetes on the controller (the collection's requirements)")
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_if=REQUIRED_IF)
        task = _Task(params, bool(self._task.check_mode))
        from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

        auth = dict((key, value) for key, value in params.items() if key in AUTH_OPTIONS)
        try:
            run(task, lambda: get_api_client(**auth))
        except _Done as done:
            result.update(done.result)
        else:  # run() always ends by exit_json or fail_json
            raise AnsibleActionFail("thebot.platform.release_lock ended without a result")
        result.setdefault("changed", False)
        if task.warnings:
            result["warnings"] = task.warnings
        return result
