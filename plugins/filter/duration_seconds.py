# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: duration_seconds
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Turn a Go duration (helm's --timeout) into whole seconds
description:
  - Reads a duration as helm and kubectl write it (C(10m), C(90s), C(1h30m), C(1.5h)) and returns the whole
    seconds it lasts, rounded up, for modules that take seconds (the C(wait_timeout) of kubernetes.core).
  - Fails with a message naming the value when it is not such a duration.
positional: _input
options:
  _input:
    description: The duration.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: helm's timeout, for kubernetes.core.k8s_info's wait_timeout
  ansible.builtin.debug:
    msg: "{{ '1h30m' | thebot.platform.duration_seconds }}"  # 5400
"""

RETURN = r"""
_value:
  description: Whole seconds, rounded up.
  type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.thebot.platform.plugins.module_utils.duration import is_duration, seconds


def duration_seconds(value):
    if not is_duration(value):
        raise AnsibleFilterError("thebot.platform.duration_seconds: %r is not a duration (write 10m, 90s or 1h30m)"
                                 % (value,))
    return seconds(value)


class FilterModule(object):
    def filters(self):
        return {"duration_seconds": duration_seconds}
