# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes resource quantities (250m, 1.5, 512Mi, 1e3): parsing and comparison.

Shared by the quantity filters and the values validation module. The grammar is the API server's
(k8s.io/apimachinery/pkg/api/resource): a signed decimal number, then a binary suffix (Ki..Ei),
a decimal suffix (m, k, M..E) or an exponent (e3, E-2).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
_DECIMAL = {"m": Decimal("0.001"), "": Decimal(1), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6,
            "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "P": Decimal(10) ** 15, "E": Decimal(10) ** 18}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|[eE](?P<exponent>[+-]?[0-9]+)|(?P<decimal>m|k|M|G|T|P|E)?)$"
)
# The API server caps quantities at 2^63-1 of their smallest unit; anything longer is a typo.
_MAX_LENGTH = 64


class QuantityError(ValueError):
    """The value is not a Kubernetes quantity; the message says why and what is expected."""


def parse_quantity(value):
    """Return the quantity as a Decimal (cores for CPU, bytes for memory)."""
    if isinstance(value, bool):
        raise QuantityError("%r is a boolean, not a quantity: write a number with an optional unit, "
                            "such as 250m, 1, 512Mi or 1Gi" % (value,))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise QuantityError("%r is not a finite number" % (value,))
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not isinstance(value, str):
        raise QuantityError("a quantity is a string or a number, not %s: write e.g. 250m, 1, 512Mi or 1Gi"
                            % type(value).__name__)
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        raise QuantityError("%r is not a quantity: write a number with an optional unit, such as "
                            "250m, 1, 512Mi or 1Gi" % (value[:_MAX_LENGTH],))
    match = _QUANTITY.match(text)
    if not match:
        hint = ""
        if re.match(r"^[0-9.]+\s*(kb|mb|gb|tb|KB|MB|GB|TB|Kb|Mb|Gb|Tb)$", text):
            hint = " (Kubernetes writes Ki, Mi, Gi for binary or k, M, G for decimal units: 1Gb is not one)"
        raise QuantityError("%r is not a quantity%s: write a number with an optional unit, such as "
                            "250m, 1, 512Mi or 1Gi" % (text, hint))
    try:
        number = Decimal(match.group("number"))
        if match.group("binary"):
            return number * _BINARY[match.group("binary")]
        if match.group("exponent") is not None:
            exponent = int(match.group("exponent"))
            if abs(exponent) > 30:
                raise QuantityError("%r: exponent %d is out of range" % (text, exponent))
            return number.scaleb(exponent)
        return number * _DECIMAL[match.group("decimal") or ""]
    except InvalidOperation:
        raise QuantityError("%r is not a quantity" % (text,))


def compare_quantities(left, right):
    """-1, 0 or 1 as left is below, equal to or above right."""
    a, b = parse_quantity(left), parse_quantity(right)
    return (a > b) - (a < b)
