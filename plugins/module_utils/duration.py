# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""helm's durations (Go's time.ParseDuration form: 10m, 90s, 1h30m, 1.5s): whether a text is one, and its seconds.

Shared by the duration_seconds filter and the values validation module (a run's helm timeout).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)")


def is_duration(value):
    """True for a non-empty text made only of number-and-unit parts."""
    return isinstance(value, str) and value != "" and PART.sub("", value) == ""


def seconds(value):
    """The duration in whole seconds, rounded up; value must be a duration (is_duration)."""
    return int(math.ceil(sum(float(number) * UNITS[unit] for number, unit in PART.findall(value))))
