# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.credentials_secret, from ansible-playbook's process
(plugin_utils/module_in_process.py says why). The options, documentation and outcome are the module's
(plugins/modules/credentials_secret.py); both run credentials.run()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.credentials import ARGUMENT_SPEC, run
from ansible_collections.thebot.platform.plugins.plugin_utils.module_in_process import module_action

ActionModule = module_action("credentials_secret", ARGUMENT_SPEC, run)
