#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_template
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Render a chart offline with given values, to read what the chart refuses
description:
  - Runs C(helm template) of I(chart_path) for a release, with I(release_values) given on standard input as YAML
    the way M(kubernetes.core.helm) writes them, against I(kube_version), without a cluster.
  - Returns helm's exit status and error lines (C(rc), C(stderr_lines)) as M(ansible.builtin.command) would, and
    does not fail on a refusal, since the validate role reads the chart's own rules from them.
options:
  helm_binary:
    description: The helm to run.
    type: path
    required: true
  chart_path:
    description: The chart.
    type: path
    required: true
  release_name:
    description: The release's name, as the chart sees it.
    type: str
    required: true
  release_namespace:
    description: The release's namespace, as the chart sees it.
    type: str
    required: true
  release_values:
    description: The values (no credentials; the chart reads them from its Secret).
    type: dict
    default: {}
  kube_version:
    description: The Kubernetes version to render for (the chart's kubeVersion must accept it).
    type: str
    required: true
  timeout:
    description: Seconds helm may take.
    type: int
    default: 120
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name renders from ansible-playbook's own process, on the controller where
        the chart and helm are; no module process. The outcome is the module's.
  check_mode:
    support: full
    description: Writes nothing, in check mode or not.
"""

EXAMPLES = r"""
- name: Render the chart with these values, offline
  thebot.platform.helm_template:
    helm_binary: /usr/local/bin/helm
    chart_path: "{{ playbook_dir }}/../charts/thebot"
    release_name: thebot
    release_namespace: thebot-prod
    release_values: "{{ thebot_values }}"
    kube_version: "1.29.0"
  register: render

- name: Say what the chart refused
  ansible.builtin.fail:
    msg: "{{ render.stderr_lines | select('match', '^- ') | list }}"
  when: render.rc != 0
"""

RETURN = r"""
rc:
  description: helm's exit status; 0 when the chart renders.
  returned: success
  type: int
stderr:
  description: What helm wrote on standard error (the chart's refusals).
  returned: success
  type: str
stderr_lines:
  description: The same, line by line.
  returned: success
  type: list
  elements: str
manifest_bytes:
  description: Size of the rendered manifest (the manifest itself is not returned).
  returned: success
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import HELM_TEMPLATE_ARGUMENT_SPEC, helm_template


def main():
    helm_template(AnsibleModule(argument_spec=HELM_TEMPLATE_ARGUMENT_SPEC, supports_check_mode=True))


if __name__ == "__main__":
    main()
