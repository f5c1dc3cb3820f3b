# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.validate_values: the same checks, in ansible-playbook's process.

The checks only compute (values, the chart's files and the environment's policy): a module would spend a Python
process on them, 0.5 s of every run (bench/results/2026-11-24-vm/profile.md), and before any refusal. The
options, the documentation and the outcome are the module's (plugins/modules/validate_values.py); both run
values_check.validate().
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.thebot.platform.plugins.module_utils.values_check import (
    ARGUMENT_SPEC, REQUIRED_TOGETHER, ChartUnreadable, validate)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # reads only: it runs in --check as it does otherwise

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # nothing is sent to a host
        # Refuses bad options with the message a module gives (AnsibleActionFail), before anything is read.
        dummy, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, required_together=REQUIRED_TOGETHER)
        if importlib.util.find_spec("jsonschema") is None:
            raise AnsibleActionFail("thebot.platform.validate_values needs the Python library jsonschema on the "
                                    "controller: pip install jsonschema (the collection's requirements.txt)")
        try:
            outcome, warnings, failure, secrets = validate(params)
        except ChartUnreadable as error:
            raise AnsibleActionFail(str(error))
        # As the module's no_log_values: no credential's value in what is returned, whatever a message quotes.
        outcome = remove_values(outcome, secrets)
        result.update(outcome)
        if warnings:
            result["warnings"] = remove_values(warnings, secrets)
        if failure:
            result.update(failed=True, msg=remove_values(failure, secrets))
        return result
