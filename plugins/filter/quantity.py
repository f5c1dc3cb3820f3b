# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: quantity
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Parse a Kubernetes resource quantity into a number
description:
  - Turns a quantity such as C(250m), C(1.5), C(512Mi), C(1Gi) or C(1e3) into a plain number (cores for
    CPU, bytes for memory), following the API server's grammar.
  - Fails with a message naming the value and the expected form when the input is not a quantity
    (for example C(1Gb), which Kubernetes does not accept).
positional: _input
options:
  _input:
    description: The quantity, as a string or a number.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Memory limit in bytes
  ansible.builtin.debug:
    msg: "{{ '512Mi' | thebot.platform.quantity }}"  # 536870912.0

- name: CPU request in cores
  ansible.builtin.debug:
    msg: "{{ '250m' | thebot.platform.quantity }}"  # 0.25
"""

RETURN = r"""
_value:
  description: The quantity as a number (cores or bytes).
  type: float
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.thebot.platform.plugins.module_utils.quantity import QuantityError, parse_quantity


def quantity(value):
    try:
        return float(parse_quantity(value))
    except QuantityError as error:
        raise AnsibleFilterError("thebot.platform.quantity: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"quantity": quantity}
