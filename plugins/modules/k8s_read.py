#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_read
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Read Kubernetes objects as kubernetes.core.k8s_info does, from the controller's own process
description:
  - Reads one object by name, or the objects of a kind that match label and field selectors, and returns them
    as C(resources), the way M(kubernetes.core.k8s_info) does for the same options. An object that does not
    exist is an empty list, not an error.
  - The roles read the namespace, the credentials Secret and the Deployments' rollout with it on every run; its
    action plugin does so without a module process (bench/README.md says what that costs).
  - No wait, no discovery of kinds by short name; for those use M(kubernetes.core.k8s_info).
options:
  api_version:
    description: The kind's API group and version.
    type: str
    default: v1
    aliases: [api, version]
  kind:
    description: The kind, as the API names it (Namespace, Secret, Deployment...).
    type: str
    required: true
  name:
    description: One object's name; unset, every object of the kind that matches the selectors.
    type: str
  namespace:
    description: The namespace of a namespaced kind; ignored for a cluster-wide one.
    type: str
  label_selectors:
    description: Label selectors (C(key=value)), all of which must match.
    type: list
    elements: str
    default: []
  field_selectors:
    description: Field selectors (C(type=Opaque)), all of which must match.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - thebot.platform.cluster
attributes:
  check_mode:
    support: full
    description: Reads only.
"""

EXAMPLES = r"""
- name: Read the release's Deployments
  thebot.platform.k8s_read:
    api_version: apps/v1
    kind: Deployment
    namespace: thebot-prod
    label_selectors:
      - app.kubernetes.io/instance=thebot
  register: deployments

- name: Read the credentials Secret (no_log - it holds them)
  thebot.platform.k8s_read:
    kind: Secret
    name: thebot-credentials
    namespace: thebot-prod
  register: secret
  no_log: true
"""

RETURN = r"""
resources:
  description: The objects read, each as the API returns it; empty when none exists.
  returned: success
  type: list
  elements: dict
api_found:
  description: Always true (the kind was served), for tasks written against kubernetes.core.k8s_info's result.
  returned: success
  type: bool
"""

from ansible_collections.thebot.platform.plugins.module_utils.k8s_read import K8S_READ_ARGUMENT_SPEC, k8s_read
from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module


def main():
    run_module(K8S_READ_ARGUMENT_SPEC, k8s_read)


if __name__ == "__main__":
    main()
