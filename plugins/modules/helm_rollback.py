#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_rollback
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Roll a Helm release back to a revision, waiting for the rollout
description:
  - Runs C(helm rollback <release> <revision> --wait), which kubernetes.core has no module for. helm reaches the
    cluster with this task's kubernetes.core options, given to helm by its environment (never its command line,
    which C(-v) prints) - I(kubeconfig) and I(context); or, with no I(kubeconfig), I(host), I(api_key) and
    I(ca_cert), each else its C(K8S_AUTH_*) variable, as kubernetes.core's client reads them (AWX's bearer-token
    credential). The playbooks give every cluster task the same options (C(thebot_auth)), so helm and the
    modules reach the same cluster by the same rule.
  - A rollback always adds a revision, so the task always reports a change; the release role checks the target
    revision before it takes the deploy lock.
options:
  helm_binary:
    description: The helm to run.
    type: path
    required: true
  helm_plugins:
    description: Where helm's plugins are (HELM_PLUGINS); unset, helm's own default.
    type: path
  revision:
    description: The revision to roll back to (C(helm history) lists them); 1 or more.
    type: int
    required: true
  wait_timeout:
    description: How long helm waits for the rolled-back workloads (helm's C(--timeout), a Go duration).
    type: str
    default: 10m
  history_max:
    description: How many revisions helm keeps (C(--history-max)).
    type: int
    default: 10
extends_documentation_fragment:
  - thebot.platform.release
  - kubernetes.core.k8s_auth_options
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name runs helm from ansible-playbook's own process, on the controller where
        the playbooks run helm; no module process. The outcome is the module's.
  check_mode:
    support: full
    description: Runs nothing; says which revision it would roll back to.
"""

EXAMPLES = r"""
- name: Roll the release back to revision 3
  thebot.platform.helm_rollback:
    helm_binary: /usr/local/bin/helm
    release_name: thebot
    release_namespace: thebot-prod
    revision: 3
    wait_timeout: 15m
"""

RETURN = r"""
revision:
  description: The revision rolled back to (a new revision holds it).
  returned: always
  type: int
  sample: 3
rc:
  description: helm's exit status.
  returned: when helm ran
  type: int
stdout:
  description: helm's output.
  returned: when helm ran
  type: str
  sample: "Rollback was a success! Happy Helming!"
stderr:
  description: helm's messages.
  returned: when helm ran
  type: str
msg:
  description: What was done, or in check mode what would be.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import HELM_ROLLBACK_ARGUMENT_SPEC, helm_rollback


def main():
    helm_rollback(AnsibleModule(argument_spec=HELM_ROLLBACK_ARGUMENT_SPEC, supports_check_mode=True))


if __name__ == "__main__":
    main()
