#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cluster_version
author: thebot platform team (@thebot-platform)
version_added: "0.2.0"
short_description: Ask the Kubernetes API server itself for its version, and say in one line why it cannot be reached
description:
  - C(kubernetes.core.k8s_cluster_info) may answer from its discovery cache without contacting the server, so a
    kubeconfig whose CA is wrong passes it and fails a later task with an unrelated message. This module always
    sends C(GET /version) to the API server, with a timeout.
  - When the server cannot be reached, it fails with one line naming the cause (an untrusted certificate,
    refused credentials, an unknown context, an unreadable kubeconfig, nothing answering at the address) and
    returns that cause as C(cause).
options:
  timeout:
    description: Seconds to wait for the API server to answer.
    type: int
    default: 15
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - thebot.platform.cluster
attributes:
  check_mode:
    support: full
    description: Reads only; it runs in check mode as it does otherwise.
"""

EXAMPLES = r"""
- name: Reach the cluster
  thebot.platform.cluster_version:
    kubeconfig: ~/.kube/prod.yaml
    context: prod-eu-1
  register: cluster

- name: Show its version
  ansible.builtin.debug:
    msg: "{{ cluster.version.gitVersion }}"
"""

RETURN = r"""
version:
  description: The API server's C(/version) answer.
  returned: success
  type: dict
  contains:
    gitVersion:
      description: Kubernetes version, e.g. v1.36.3.
      type: str
host:
  description: The address of the API server contacted.
  returned: when the client could be configured
  type: str
cause:
  description: Why it could not be reached (certificate, credentials, forbidden, context, kubeconfig, unreachable, unknown).
  returned: failure
  type: str
"""

from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module
from ansible_collections.thebot.platform.plugins.module_utils.reach import CLUSTER_VERSION_ARGUMENT_SPEC, cluster_version


def main():
    run_module(CLUSTER_VERSION_ARGUMENT_SPEC, cluster_version)


if __name__ == "__main__":
    main()
