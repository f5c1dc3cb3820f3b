# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of thebot.platform.helm_version, from ansible-playbook's process: the helm the playbooks
run is the controller's (the prerequisites role finds or installs it there). The options, documentation and
outcome are the module's (plugins/modules/helm_version.py); both run helm_tools.helm_version()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import HELM_VERSION_ARGUMENT_SPEC, helm_version
from ansible_collections.thebot.platform.plugins.plugin_utils.module_in_process import module_action

ActionModule = module_action("helm_version", HELM_VERSION_ARGUMENT_SPEC, helm_version, cluster=False)
