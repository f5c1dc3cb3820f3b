# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.k8s_read, from ansible-playbook's process
(plugin_utils/module_in_process.py says why). The options, documentation and outcome are the module's
(plugins/modules/k8s_read.py); both run k8s_read.k8s_read()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.k8s_read import K8S_READ_ARGUMENT_SPEC, k8s_read
from ansible_collections.thebot.platform.plugins.plugin_utils.module_in_process import module_action

ActionModule = module_action("k8s_read", K8S_READ_ARGUMENT_SPEC, k8s_read)
