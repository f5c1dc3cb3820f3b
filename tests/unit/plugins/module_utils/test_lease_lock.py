import datetime

from ansible_collections.thebot.platform.plugins.module_utils.lease_lock import (
    assess, expired_body, lease_body, micro_time)

NOW = datetime.datetime(2026, 11, 24, 12, 0, 0, tzinfo=datetime.timezone.utc)


def lease(holder, renewed, duration=60, version="7"):
    return {"metadata": {"name": "thebot-deploy-lock", "resourceVersion": version},
            "spec": {"holderIdentity": holder, "acquireTime": renewed, "renewTime": renewed,
                     "leaseDurationSeconds": duration, "leaseTransitions": 2}}


def test_no_lease_or_no_holder_is_free():
    assert assess(None, NOW) == ("free", {})
    assert assess(lease("", "2026-11-24T11:59:59.000000Z"), NOW)[0] == "free"


def test_a_lease_within_its_duration_is_held_and_says_until_when():
    state, facts = assess(lease("ops@ci 1a2b", "2026-11-24T11:59:30.000000Z"), NOW)
    assert state == "held" and facts["holder"] == "ops@ci 1a2b"
    assert facts["expires"] == "2026-11-24T12:00:30.000000Z"


def test_a_lease_past_its_duration_has_expired():
    assert assess(lease("ops@ci 1a2b", "2026-11-24T11:58:59.000000Z"), NOW)[0] == "expired"
    # A held lease that nobody can date is not trusted to be alive.
    assert assess(lease("ops@ci 1a2b", "yesterday"), NOW)[0] == "expired"


def test_taking_an_existing_lease_keeps_its_resource_version():
    body = lease_body("thebot-deploy-lock", "thebot-dev", "me", 900, NOW, lease("", "x"))
    assert body["metadata"]["resourceVersion"] == "7", "the replace conflicts if another run took it first"
    assert body["spec"]["leaseTransitions"] == 3
    assert body["spec"]["renewTime"] == micro_time(NOW) == "2026-11-24T12:00:00.000000Z"
    fresh = lease_body("thebot-deploy-lock", "thebot-dev", "me", 900, NOW)
    assert "resourceVersion" not in fresh["metadata"] and fresh["spec"]["leaseTransitions"] == 0


def test_a_lease_given_back_interrupted_has_expired_with_its_holder():
    held = lease("ops@ci 1a2b", micro_time(datetime.datetime.now(datetime.timezone.utc)), duration=900)
    assert assess(held, datetime.datetime.now(datetime.timezone.utc))[0] == "held"
    given_back = expired_body(held)
    state, facts = assess(given_back, datetime.datetime.now(datetime.timezone.utc))
    assert state == "expired" and facts["holder"] == "ops@ci 1a2b"
    assert given_back["metadata"]["resourceVersion"] == "7", "replaced only if nobody changed it since"
