#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: release_status
author: thebot platform team (@thebot-platform)
version_added: "0.2.0"
short_description: Read a Helm release's status whatever it is, its history, and who holds its deploy lock
description:
  - Reads Helm's own records of the release (Secrets of type C(helm.sh/release.v1)), so a release stuck in
    C(pending-upgrade) or C(failed) is reported as such, not as absent; and the release's deploy lock (the
    Lease of thebot.platform.release_lock), so an operator sees who holds it since when.
  - Reads only, in check mode too. Of each record only the revision, status, chart, app version, date and
    description are returned, never the values.
options:
  lock_name:
    description: Name of the release's deploy lock (a Lease in I(release_namespace)); unset, no lock is read.
    type: str
extends_documentation_fragment:
  - thebot.platform.release
  - kubernetes.core.k8s_auth_options
requirements:
  - kubernetes >= 24.2.0
attributes:
  check_mode:
    support: full
    description: Reads only.
"""

EXAMPLES = r"""
- name: Read the release, its history and its lock
  thebot.platform.release_status:
    release_name: thebot
    release_namespace: thebot-prod
    lock_name: thebot-deploy-lock
  register: release
"""

RETURN = r"""
status:
  description: Status of the latest revision (deployed, failed, pending-upgrade...), or absent.
  returned: always
  type: str
revision:
  description: The latest revision (0 when absent).
  returned: always
  type: int
history:
  description: Every revision Helm keeps, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    revision:
      description: Revision number.
      type: int
    status:
      description: Its status.
      type: str
    chart:
      description: Chart name and version.
      type: str
    app_version:
      description: The chart's appVersion.
      type: str
    image_tag:
      description:
        - The tag THE_BOT's images run at in that revision (the backend's, else the chart-wide image.tag of the values,
          else the chart's appVersion); the version of the app, even where the images are named by digest.
      type: str
    updated:
      description: When it was deployed.
      type: str
    description:
      description: Helm's description (Install complete, Rollback to 2, ...).
      type: str
lock:
  description: The deploy lock (state free, held or expired; holder, acquired, expires); empty without I(lock_name).
  returned: always
  type: dict
"""

import copy

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.thebot.platform.plugins.module_utils.drift import read_lock
from ansible_collections.thebot.platform.plugins.module_utils.helm_release import RELEASE_ARGS, history, read_records
from ansible_collections.thebot.platform.plugins.module_utils.kube import first_line


def main():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(RELEASE_ARGS, lock_name=dict(type="str"))
    module = AnsibleK8SModule(argument_spec=spec, supports_check_mode=True)
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

    name, namespace = module.params["release_name"], module.params["release_namespace"]
    lock = {}
    try:
        client = get_api_client(module=module)
        records = read_records(client, name, namespace)
        lock = read_lock(client, module.params["lock_name"], namespace)
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; one meaning
        module.fail_json(msg="cannot read release %s in namespace %s: %s" % (
            name, namespace, first_line(error)))
    rows = history(records)
    latest = rows[-1] if rows else {"status": "absent", "revision": 0}
    module.exit_json(changed=False, status=latest["status"], revision=latest["revision"], history=rows, lock=lock)


if __name__ == "__main__":
    main()
