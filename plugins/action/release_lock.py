# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.release_lock: the deploy lock, taken and given back from
ansible-playbook's process (plugin_utils/module_in_process.py says why).

The options, documentation and outcome are the module's (plugins/modules/release_lock.py); both run
lock_task.run(). The holder is still the run's ansible-playbook process: this worker's parent, found as the module
found it among its ancestors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.lock_task import ARGUMENT_SPEC, REQUIRED_IF, run
from ansible_collections.thebot.platform.plugins.plugin_utils.module_in_process import module_action

ActionModule = module_action("release_lock", ARGUMENT_SPEC, run, required_if=REQUIRED_IF)
