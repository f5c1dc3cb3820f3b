"""backup_expired: which of a release's backups a run deletes, and which it must never touch."""

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.thebot.platform.plugins.filter.backup_expired import FilterModule

backup_expired = FilterModule().filters()["backup_expired"]


def backup(name, created, release="thebot"):
    return {"name": name, "created": created, "release": release}


def test_the_newest_are_kept_whatever_the_listing_order():
    backups = [backup("thebot-r3-1.0.1-20261103T000000Z", "20261103T000000Z"),
               backup("thebot-r1-1.0.0-20261101T000000Z", "20261101T000000Z"),
               backup("thebot-r4-1.0.2-20261104T000000Z", "20261104T000000Z"),
               backup("thebot-r2-1.0.0-20261102T000000Z", "20261102T000000Z")]
    assert backup_expired(backups, 2, "thebot") == ["thebot-r2-1.0.0-20261102T000000Z",
                                                    "thebot-r1-1.0.0-20261101T000000Z"]
    assert backup_expired(backups, "4", "thebot") == []


def test_another_releases_backups_are_never_returned():
    backups = [backup("other-r1-1.0.0-20260101T000000Z", "20260101T000000Z", release="other"),
               backup("thebot-r1-1.0.0-20261101T000000Z", "20261101T000000Z")]
    assert backup_expired(backups, 1, "thebot") == []


@pytest.mark.parametrize("keep", [0, -1, None, "many"])
def test_keeping_none_is_refused(keep):
    with pytest.raises(AnsibleFilterError, match="keep at least 1"):
        backup_expired([backup("thebot-r1-1.0.0-20261101T000000Z", "20261101T000000Z")], keep, "thebot")


@pytest.mark.parametrize("name", ["../etc", ".partial-x", "a/b", "", None, "-rf"])
def test_a_name_that_could_leave_the_folder_fails(name):
    with pytest.raises(AnsibleFilterError, match="not a backup's name"):
        backup_expired([backup(name, "20261101T000000Z")], 1, "thebot")


@given(st.lists(st.integers(min_value=0, max_value=10**6), unique=True, max_size=20), st.integers(1, 25))
def test_exactly_the_oldest_beyond_keep(times, keep):
    backups = [backup(f"thebot-{t}", f"{t:08d}") for t in times]
    expired = backup_expired(backups, keep, "thebot")
    assert expired == [f"thebot-{t}" for t in sorted(times, reverse=True)[keep:]]
