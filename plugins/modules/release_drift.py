#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: release_drift
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Tell whether a Helm release matches its inventory, and how it differs
description:
  - Answers, for one release, what C(drift.yml) reports per cluster; I(state) is one of C(in-sync),
    C(drifted), C(not-installed), C(stuck) (its latest revision is pending or failed) or C(locked) (a deploy
    holds the release's lock now).
  - For a deployed release, two comparisons, since they call for different fixes. I(inventory) is what the next
    deploy would change, as helm-diff renders I(release_values) against the release's stored manifest (an
    inventory change not yet deployed). I(live) is what was changed in the cluster since the deploy
    (C(kubectl edit), C(kubectl scale), a deleted object), comparing each object of the deployed manifest with the live
    object, on the fields the manifest sets, with the field managers that wrote it besides helm and the cluster.
  - The render gets the checksum of the credentials Secret I(secret_name) as it is in the cluster, as a deploy
    would (it keeps the cluster's credentials). A Secret's values are never returned, only the paths that differ.
  - Reads only, in check mode too; helm-diff renders client-side and writes nothing.
options:
  chart_path:
    description: The chart the inventory deploys.
    type: path
    required: true
  release_values:
    description: The values a deploy would give the chart (without credentials; the chart reads them from
      I(secret_name)).
    type: dict
    default: {}
    aliases: [values]
  secret_name:
    description: The credentials Secret of the release; unset, the deployed checksum is assumed unchanged.
    type: str
  lock_name:
    description: Name of the release's deploy lock (a Lease in I(release_namespace)); unset, no lock is read.
    type: str
  helm_binary:
    description: The helm to run helm-diff with.
    type: path
    default: helm
  helm_plugins:
    description: Where helm's plugins are (HELM_PLUGINS), helm-diff among them.
    type: path
  timeout:
    description: Seconds helm-diff may take.
    type: int
    default: 300
extends_documentation_fragment:
  - thebot.platform.release
  - kubernetes.core.k8s_auth_options
  - thebot.platform.cluster
requirements:
  - helm and the helm-diff plugin
attributes:
  check_mode:
    support: full
    description: Reads only; helm-diff renders without writing.
"""

EXAMPLES = r"""
- name: Compare the release with the inventory and the cluster
  thebot.platform.release_drift:
    release_name: thebot
    release_namespace: thebot-prod
    chart_path: "{{ playbook_dir }}/../charts/thebot"
    release_values: "{{ thebot_values }}"
    secret_name: thebot-credentials
    lock_name: thebot-deploy-lock
    helm_binary: /usr/local/bin/helm
  register: drift

- name: Fail when the cluster differs
  ansible.builtin.fail:
    msg: "{{ drift.summary }}"
  when: drift.state != 'in-sync'
"""

RETURN = r"""
state:
  description: in-sync, drifted, not-installed, stuck or locked.
  returned: success
  type: str
  sample: drifted
summary:
  description: The state in one line, with the objects and fields that differ.
  returned: success
  type: str
  sample: "drifted at revision 3 (1.0.0): changed by hand: Deployment/thebot-backend spec.replicas (by kubectl)"
release:
  description: The latest revision (revision, status, chart, app_version, updated, description); empty when absent.
  returned: success
  type: dict
lock:
  description: The deploy lock (state free, held or expired; holder, acquired); empty without I(lock_name).
  returned: success
  type: dict
inventory:
  description: What the next deploy would change, per object (object, namespace, change added, removed or changed,
    and for a change the fields with the release's and the inventory's value).
  returned: success
  type: list
  elements: dict
live:
  description: What was changed in the cluster since the deploy, per object (object, namespace, change missing or
    changed, fields with the release's and the live value, and by, the field managers that wrote it).
  returned: success
  type: list
  elements: dict
cause:
  description: On failure, unreachable (the cluster could not be read), helm or render (the values do not render).
  returned: failure
  type: str
"""

from ansible_collections.thebot.platform.plugins.module_utils.drift import DRIFT_ARGUMENT_SPEC, drift
from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module


def main():
    run_module(DRIFT_ARGUMENT_SPEC, drift)


if __name__ == "__main__":
    main()
