# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options that name a Helm release, for the modules that read its records (RELEASE_ARGS)."""

    DOCUMENTATION = r"""
options:
  release_name:
    description: Name of the release.
    type: str
    required: true
    aliases: [name]
  release_namespace:
    description: Namespace of the release.
    type: str
    required: true
    aliases: [namespace]
"""
