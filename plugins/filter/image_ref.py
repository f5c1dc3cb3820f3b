# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: image_ref
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Split a container image reference into its parts
description:
  - Parses C([registry[:port]/]repository[:tag][@digest]) as Docker and Kubernetes do; a first part
    without a dot, a port or C(localhost) belongs to the repository, not the registry.
  - Fails with a message naming the value and the expected form when it is not a reference.
positional: _input
options:
  _input:
    description: The image reference.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The tag being deployed
  ansible.builtin.debug:
    msg: "{{ (image | thebot.platform.image_ref).tag }}"
  vars:
    image: registry.example.com/thebot/backend:1.4.2
"""

RETURN = r"""
_value:
  description: The parts of the reference; each is an empty string when absent.
  type: dict
  contains:
    registry:
      description: Registry host, with its port if any.
      type: str
    repository:
      description: Repository path.
      type: str
    tag:
      description: Tag.
      type: str
    digest:
      description: Digest, such as sha256:...
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.thebot.platform.plugins.module_utils.image_ref import ImageRefError, parse_image_ref


def image_ref(value):
    try:
        return parse_image_ref(value)
    except ImageRefError as error:
        raise AnsibleFilterError("thebot.platform.image_ref: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"image_ref": image_ref}
