# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: quantity_compare
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Compare two Kubernetes resource quantities
description:
  - Returns -1, 0 or 1 as the first quantity is below, equal to or above the second, comparing exact
    values (C(1Gi) is above C(1G); C(1000m) equals C(1)).
  - Fails with a message naming the offending value when either side is not a quantity.
positional: _input, other
options:
  _input:
    description: The left-hand quantity.
    type: raw
    required: true
  other:
    description: The right-hand quantity.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse a request above its limit
  ansible.builtin.assert:
    that: requests.memory | thebot.platform.quantity_compare(limits.memory) <= 0
    fail_msg: "resources.requests.memory is above resources.limits.memory: lower the request"
"""

RETURN = r"""
_value:
  description: -1, 0 or 1.
  type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.thebot.platform.plugins.module_utils.quantity import QuantityError, compare_quantities


def quantity_compare(value, other):
    try:
        return compare_quantities(value, other)
    except QuantityError as error:
        raise AnsibleFilterError("thebot.platform.quantity_compare: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"quantity_compare": quantity_compare}
