#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_version
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Read the versions of helm and of its helm-diff plugin
description:
  - Runs C(helm version) and C(helm diff version) with I(helm_plugins) as the plugins directory, and returns both
    versions; a missing helm-diff is C(diff=None), not a failure (the caller says what it wants).
  - The prerequisites role checks them against its pins on every run.
options:
  helm_binary:
    description: The helm to read.
    type: path
    required: true
  helm_plugins:
    description: Where helm's plugins are (HELM_PLUGINS); unset, helm's own default.
    type: path
  timeout:
    description: Seconds each helm call may take.
    type: int
    default: 30
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name runs both helm calls from ansible-playbook's own process, on the
        controller where the playbooks run helm; no module process. The outcome is the module's.
  check_mode:
    support: full
    description: Reads only.
"""

EXAMPLES = r"""
- name: Read the versions of helm and helm-diff
  thebot.platform.helm_version:
    helm_binary: /usr/local/bin/helm
    helm_plugins: /usr/local/share/helm/plugins
  register: helm

- name: Check them
  ansible.builtin.assert:
    that: helm.helm == 'v3.21.4' and helm.diff == '3.9.14'
"""

RETURN = r"""
helm:
  description: helm's version (C(helm version --template {{ .Version }})).
  returned: success
  type: str
  sample: v3.21.4
diff:
  description: helm-diff's version, or None when helm has no working diff plugin.
  returned: success
  type: str
  sample: 3.9.14
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import HELM_VERSION_ARGUMENT_SPEC, helm_version


def main():
    helm_version(AnsibleModule(argument_spec=HELM_VERSION_ARGUMENT_SPEC, supports_check_mode=True))


if __name__ == "__main__":
    main()
