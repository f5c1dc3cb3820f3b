# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: yaml_check
author: thebot platform team (@thebot-platform)
version_added: "0.2.0"
short_description: Name the group_vars or host_vars file that does not parse, with its line and column
description:
  - ansible-core 2.19's host_group_vars reports a broken group_vars or host_vars file as "YAML parsing
    failed" and names no file. Enabled before it, this plugin parses the same files first and fails with
    each broken file's path, line, column and problem. It returns no variables; C(!vault) values are read
    as plain text, never decrypted.
  - Enable it in ansible.cfg, before host_group_vars
    (C(vars_plugins_enabled = thebot.platform.yaml_check, host_group_vars)), as this collection's does.
extends_documentation_fragment:
  - vars_plugin_staging
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# vars_plugins_enabled = thebot.platform.yaml_check, host_group_vars
"""

RETURN = r"""
_raw:
  description: Nothing; the plugin only fails, naming the files that do not parse.
  type: dict
"""

import os

from ansible.errors import AnsibleParserError
from ansible.inventory.host import Host
from ansible.plugins.vars import BaseVarsPlugin
from ansible_collections.thebot.platform.plugins.module_utils.yaml_syntax import yaml_errors

EXTENSIONS = (".yml", ".yaml", ".json")

# ansible-core asks every vars plugin again for each task (83 times in a no-op deploy.yml), and parsing the
# inventory's files with PyYAML's pure-Python loader each time was 0.6 s of that run. A file is parsed once
# per process and again only when its size or modification time change.
_CHECKED = {}


def _errors_of(path):
    try:
        stat = os.stat(path)
        key = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None  # gone or unreadable: yaml_errors names why, and it is asked again next time
    if key is None or _CHECKED.get(path, (None,))[0] != key:
        _CHECKED[path] = (key, yaml_errors([path]))
    return _CHECKED[path][1]


class VarsModule(BaseVarsPlugin):
    is_stateless = True

    def get_vars(self, loader, path, entities, cache=True):
        if not isinstance(entities, list):
            entities = [entities]
        super(VarsModule, self).get_vars(loader, path, entities)
        basedir = path if os.path.isdir(path) else os.path.dirname(path)
        files = set()
        for entity in entities:
            subdir = "host_vars" if isinstance(entity, Host) else "group_vars"
            found = loader.find_vars_files(os.path.join(basedir, subdir), entity.name)
            files.update(f for f in found if os.path.splitext(f)[1] in EXTENSIONS + ("",))
        errors = [error for path in sorted(files) for error in _errors_of(path)]
        if errors:
            raise AnsibleParserError("The inventory does not parse: %s. Fix the file; nothing was sent to the "
                                     "cluster." % "; ".join(errors))
        return {}
