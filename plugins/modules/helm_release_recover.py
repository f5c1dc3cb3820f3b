#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: helm_release_recover
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Recover a Helm release left pending by an interrupted run
description:
  - A helm run that is killed (a lost connection, a cancelled AWX job) leaves its revision in
    C(pending-install), C(pending-upgrade) or C(pending-rollback), and every later run fails with
    "another operation (install/upgrade/rollback) is in progress".
  - When the latest revision has been pending for at least I(stale_after) seconds, this module marks it
    C(failed) in Helm's own record, with a description saying so; the next upgrade proceeds from it as
    from any failed revision. Nothing is deleted and no workload is touched; C(helm history) keeps the entry.
  - When it has been pending for less, another run may still be working on it, and the module fails
    with a message saying who started when, rather than interfering.
options:
  stale_after:
    description:
      - Seconds after which a pending revision counts as abandoned. Keep it above the longest helm
        timeout of any deploy of this release.
    type: int
    default: 900
extends_documentation_fragment:
  - thebot.platform.release
  - kubernetes.core.k8s_auth_options
requirements:
  - kubernetes >= 24.2.0
attributes:
  check_mode:
    support: full
    description: Reports what it would do and changes nothing.
"""

EXAMPLES = r"""
- name: Recover the release if an earlier run was killed
  thebot.platform.helm_release_recover:
    release_name: thebot
    release_namespace: thebot-prod
    stale_after: 1200
"""

RETURN = r"""
action:
  description: none (nothing pending), recovered, or would-recover (check mode).
  returned: always
  type: str
release:
  description: Facts of the latest revision.
  returned: always
  type: dict
  contains:
    revision:
      description: Revision number.
      type: int
    status:
      description: Status before this module ran (absent when the release does not exist).
      type: str
    started:
      description: When the revision's operation started.
      type: str
    age_seconds:
      description: How long ago it started.
      type: int
    deployed_revision:
      description:
        - The newest revision whose status is deployed (0 if none). After a recovery, rolling back to it undoes
          what the interrupted revision applied, as an atomic helm run would have; an upgrade alone would not,
          since helm merges against the deployed revision's manifest and keeps fields it did not write.
      type: int
"""

import copy
import datetime

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.thebot.platform.plugins.module_utils.helm_release import (
    RELEASE_ARGS, mark_failed, plan, read_records)

try:
    from kubernetes.dynamic.exceptions import DynamicApiError
except ImportError:  # reported by AnsibleK8SModule's requirement check
    DynamicApiError = Exception


def main():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(RELEASE_ARGS, stale_after=dict(type="int", default=900))
    module = AnsibleK8SModule(argument_spec=spec, supports_check_mode=True)
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

    name, namespace = module.params["release_name"], module.params["release_namespace"]
    try:
        client = get_api_client(module=module)
        secrets = client.resource("Secret", "v1")
        records = read_records(client, name, namespace)
    except Exception as error:  # the client raises many kinds; all mean the same to the operator
        module.fail_json(msg="cannot read the records of release %s in namespace %s: %s; check the cluster "
                             "address and credentials" % (name, namespace, str(error).splitlines()[0]))
    action, facts = plan(records, module.params["stale_after"])
    if action == "none":
        module.exit_json(changed=False, action="none", release=facts)
    if action == "wait":
        module.fail_json(msg="release %s revision %d is %s since %s (%d s ago): another deploy may still be "
                             "running. Wait for it to finish; a run interrupted for good is recovered "
                             "automatically once it is %d s old." % (name, facts["revision"], facts["status"],
                                                                     facts["started"], facts["age_seconds"],
                                                                     module.params["stale_after"]),
                         action="wait", release=facts)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = ("release %s revision %d was %s since %s (%d s): marked failed so the next deploy can proceed; "
               "no object was changed or deleted"
               % (name, facts["revision"], facts["status"], facts["started"], facts["age_seconds"]))
    if module.check_mode:
        module.exit_json(changed=True, action="would-recover", release=facts, msg=message)
    record = next(r for r in records if r["metadata"]["name"] == facts["record"])
    description = "Interrupted while %s; marked failed by thebot.platform.helm_release_recover at %s" % (
        facts["status"], now)
    try:
        # replace() carries the record's resourceVersion: if helm writes it meanwhile, this conflicts.
        secrets.replace(body=mark_failed(record, description), namespace=namespace)
    except DynamicApiError as error:
        if getattr(error, "status", None) == 409:
            module.fail_json(msg="release %s revision %d changed while recovering it: helm is still working on it; "
                                 "run again" % (name, facts["revision"]), release=facts)
        module.fail_json(msg="could not update the record of release %s: %s" % (name, error), release=facts)
    module.warn(message)
    module.exit_json(changed=True, action="recovered", release=facts, msg=message)


if __name__ == "__main__":
    main()
