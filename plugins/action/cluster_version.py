# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.cluster_version: GET /version from ansible-playbook's process.

One request, yet as a module it cost a Python process that imports the Kubernetes client (0.7 s of every run,
bench/results/2026-11-24-vm/profile.md). The options, documentation and outcome are the module's
(plugins/modules/cluster_version.py); both run reach.read_version().
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import importlib.util

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.thebot.platform.plugins.module_utils.reach import read_version

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
except ImportError:  # told below, with the fix
    AUTH_ARG_SPEC = None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # reads only

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # nothing is sent to a host
        if AUTH_ARG_SPEC is None:
            raise AnsibleActionFail("thebot.platform.cluster_version needs the collection kubernetes.core on the "
                                    "controller: ansible-galaxy collection install -r requirements.yml")
        if importlib.util.find_spec("kubernetes") is None:
            raise AnsibleActionFail("thebot.platform.cluster_version needs the Python library kubernetes on the "
                                    "controller: pip install kubernetes (the collection's requirements.txt)")
        spec = copy.deepcopy(AUTH_ARG_SPEC)
        spec.update(timeout=dict(type="int", default=15))
        dummy, params = self.validate_argument_spec(argument_spec=spec)
        outcome, failure = read_version(params)
        result.update(changed=False, **outcome)
        if failure:
            result.update(failed=True, msg=failure[0], cause=failure[1])
        return result
