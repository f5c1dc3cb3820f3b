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
