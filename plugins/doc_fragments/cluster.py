# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What the modules that talk to a cluster and are run by an action plugin of their name share."""

    DOCUMENTATION = r"""
requirements:
  - kubernetes >= 24.2.0
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name runs this module's work in ansible-playbook's own process, on the
        controller, with the client kubernetes.core keeps there for the host's credentials; a run pays no module
        process for it. The outcome is the module's, which runs where a task is sent to another host.
"""
