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
  - thebot.platform.cluster
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

from ansible_collections.thebot.platform.plugins.module_utils.helm_release import RECOVER_ARGUMENT_SPEC, recover
from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module


def main():
    run_module(RECOVER_ARGUMENT_SPEC, recover)


if __name__ == "__main__":
    main()
