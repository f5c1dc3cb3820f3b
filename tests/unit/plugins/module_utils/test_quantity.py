from decimal import Decimal

import pytest

from ansible_collections.thebot.platform.plugins.module_utils.quantity import (
    QuantityError, compare_quantities, parse_quantity)


@pytest.mark.parametrize("text,expected", [
    ("250m", Decimal("0.25")), ("1", Decimal(1)), ("0.5", Decimal("0.5")), (".5", Decimal("0.5")),
    ("512Mi", Decimal(512 * 2 ** 20)), ("1Gi", Decimal(2 ** 30)), ("1G", Decimal(10 ** 9)), ("2k", Decimal(2000)),
    ("1e3", Decimal(1000)), ("1E-2", Decimal("0.01")), ("1E", Decimal(10 ** 18)), (" 100Mi ", Decimal(100 * 2 ** 20)),
    (2, Decimal(2)), (1.5, Decimal("1.5")), ("-1", Decimal(-1)),
])
def test_parses_the_api_servers_forms(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("bad", ["1Gb", "abc", "", "1.2.3", "Mi", "1 Gi", "1e", "1Kib", "0x10", "1" * 65,
                                 True, None, [1], {"a": 1}, float("nan"), float("inf")])
def test_refuses_anything_else_with_a_message(bad):
    with pytest.raises(QuantityError) as error:
        parse_quantity(bad)
    assert "quantity" in str(error.value) or "finite" in str(error.value)


def test_gb_gets_a_hint():
    with pytest.raises(QuantityError, match="1Gb is not one"):
        parse_quantity("1Gb")


@pytest.mark.parametrize("left,right,expected", [
    ("1000m", "1", 0), ("1Gi", "1G", 1), ("500m", "1", -1), ("512Mi", "0.5Gi", 0), (1, "1000m", 0),
])
def test_compares_exact_values(left, right, expected):
    assert compare_quantities(left, right) == expected
