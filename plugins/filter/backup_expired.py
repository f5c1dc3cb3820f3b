# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: backup_expired
author: thebot platform team (@thebot-platform)
version_added: "0.4.0"
short_description: The names of a release's backups past its retention
description:
  - Takes the metadata of the backups found at a destination (each backup's C(backup.json)) and returns the names
    of one release's backups beyond the I(keep) newest, newest first by the time each was taken.
  - Backups of other releases are never returned. A name that could leave the backups' folder (a slash, or a
    leading dot) fails the filter rather than being deleted.
positional: keep, release
options:
  _input:
    description: The backups' metadata, as backup.yml writes it (name, release, created).
    type: list
    elements: dict
    required: true
  keep:
    description: How many of the release's newest backups to keep; at least 1.
    type: int
    required: true
  release:
    description: The release whose backups are pruned.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Which backups to delete
  ansible.builtin.debug:
    msg: "{{ backups | thebot.platform.backup_expired(7, 'thebot') }}"
"""

RETURN = r"""
_value:
  description: Names of the release's backups past the retention, oldest last.
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def backup_expired(backups, keep, release):
    try:
        keep = int(keep)
    except (TypeError, ValueError):
        keep = 0
    if keep < 1:
        raise AnsibleFilterError("thebot.platform.backup_expired: keep is %r; keep at least 1 backup" % (keep,))
    ours = []
    for backup in backups or []:
        if not isinstance(backup, dict) or backup.get("release") != release:
            continue
        name = backup.get("name")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise AnsibleFilterError("thebot.platform.backup_expired: %r is not a backup's name; delete that folder "
                                     "by hand if it is not one" % (name,))
        ours.append((str(backup.get("created", "")), name))
    ours.sort(reverse=True)
    return [name for _created, name in ours[keep:]]


class FilterModule(object):
    def filters(self):
        return {"backup_expired": backup_expired}
