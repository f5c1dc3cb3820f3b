# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML syntax errors of files, each with its file, line and column (values never decrypted)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import yaml
except ImportError:  # ansible-core itself needs PyYAML: only a bare import check gets here
    yaml = None


def _loader():
    """YAML as ansible reads it, with its tags taken as plain strings."""
    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        pass

    def construct_mapping(loader, node, deep=False):
        # YAML lets a key repeat and keeps the last: in an inventory that silently drops a value an
        # operator wrote (a second "backend:" block replaces the first), so it is an error here.
        seen = {}
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key is yaml's own error to report
                continue
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    None, None, "duplicate key %r (first at line %d)" % (key, first.start_mark.line + 1),
                    key_node.start_mark)
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    for tag in ("!vault", "!unsafe"):
        Loader.add_constructor(tag, lambda loader, node: loader.construct_scalar(node))
    return Loader


def yaml_errors(paths):
    """One "FILE line L, column C - problem" per file that does not parse (empty when all do)."""
    loader = _loader()
    errors = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                list(yaml.load_all(handle, Loader=loader))  # nosec B506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = " line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
            errors.append("%s%s - %s" % (path, where, error.problem or error.context))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            errors.append("%s - %s" % (path, error))
    return errors
