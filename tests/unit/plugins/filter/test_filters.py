"""The filters wrap module_utils; malformed input of any shape is an AnsibleFilterError, never a traceback."""

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.thebot.platform.plugins.filter.duration_seconds import FilterModule as DurationFilters
from ansible_collections.thebot.platform.plugins.filter.image_ref import FilterModule as ImageRefFilters
from ansible_collections.thebot.platform.plugins.filter.quantity import FilterModule as QuantityFilters
from ansible_collections.thebot.platform.plugins.filter.quantity_compare import FilterModule as CompareFilters

quantity = QuantityFilters().filters()["quantity"]
quantity_compare = CompareFilters().filters()["quantity_compare"]
image_ref = ImageRefFilters().filters()["image_ref"]
duration_seconds = DurationFilters().filters()["duration_seconds"]

# Anything YAML or Jinja could hand a filter: scalars, text of any alphabet, nested lists and maps.
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def test_quantity_and_compare():
    assert quantity("512Mi") == 536870912.0
    assert quantity("250m") == 0.25
    assert quantity_compare("1Gi", "1G") == 1
    assert quantity_compare("1000m", 1) == 0


def test_image_ref():
    assert image_ref("registry.example.com/thebot/backend:1.4.2") == {
        "registry": "registry.example.com", "repository": "thebot/backend", "tag": "1.4.2", "digest": ""}


@pytest.mark.parametrize("duration,seconds", [("10m", 600), ("90s", 90), ("1h30m", 5400), ("1.5h", 5400),
                                              ("1500ms", 2), ("0s", 0)])
def test_duration_seconds(duration, seconds):
    assert duration_seconds(duration) == seconds


@pytest.mark.parametrize("bad", ["", "10", "10 m", "m", "10min", "-1s", None, 600, ["10m"]])
def test_duration_seconds_refuses_what_helm_would(bad):
    with pytest.raises(AnsibleFilterError, match=r"thebot.platform.duration_seconds: .* is not a duration"):
        duration_seconds(bad)


def test_errors_name_the_filter_and_the_value():
    with pytest.raises(AnsibleFilterError, match=r"thebot.platform.quantity: '1Gb' is not a quantity"):
        quantity("1Gb")
    with pytest.raises(AnsibleFilterError, match=r"thebot.platform.image_ref: 'A:b:c' is not an image reference"):
        image_ref("A:b:c")


@settings(max_examples=400, deadline=None)
@given(ANYTHING)
def test_quantity_never_raises_anything_but_a_filter_error(value):
    try:
        result = quantity(value)
    except AnsibleFilterError as error:
        assert str(error).startswith("thebot.platform.quantity: ")
    else:
        assert isinstance(result, float)


@settings(max_examples=400, deadline=None)
@given(ANYTHING, ANYTHING)
def test_quantity_compare_never_raises_anything_but_a_filter_error(left, right):
    try:
        assert quantity_compare(left, right) in (-1, 0, 1)
    except AnsibleFilterError as error:
        assert str(error).startswith("thebot.platform.quantity_compare: ")


@settings(max_examples=400, deadline=None)
@given(ANYTHING)
def test_image_ref_never_raises_anything_but_a_filter_error(value):
    try:
        parts = image_ref(value)
    except AnsibleFilterError as error:
        assert str(error).startswith("thebot.platform.image_ref: ")
    else:
        assert set(parts) == {"registry", "repository", "tag", "digest"} and parts["repository"]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[0-9]{1,6}(\.[0-9]{1,3})?(m|k|M|G|Ki|Mi|Gi)?\Z"))
def test_every_well_formed_quantity_parses(text):
    assert quantity(text) >= 0


@settings(max_examples=400, deadline=None)
@given(ANYTHING)
def test_duration_seconds_never_raises_anything_but_a_filter_error(value):
    try:
        seconds = duration_seconds(value)
    except AnsibleFilterError as error:
        assert str(error).startswith("thebot.platform.duration_seconds: ")
    else:
        assert isinstance(seconds, int) and seconds >= 0
