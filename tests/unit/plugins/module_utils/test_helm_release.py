import base64
import datetime
import gzip
import json

from ansible_collections.thebot.platform.plugins.module_utils.helm_release import (
    decode_release, encode_release, mark_failed, plan)

NOW = datetime.datetime(2026, 11, 24, 12, 0, 0, tzinfo=datetime.timezone.utc)


def record(version, status, created="2026-11-24T11:00:00Z"):
    release = {"name": "thebot", "version": version, "info": {"status": status}, "manifest": "kind: ConfigMap"}
    return {"metadata": {"name": "sh.helm.release.v1.thebot.v%d" % version, "creationTimestamp": created,
                         "labels": {"owner": "helm", "name": "thebot", "status": status, "version": str(version)}},
            "data": {"release": encode_release(release)}}


def test_encoding_is_helms_base64_of_gzip():
    encoded = encode_release({"a": 1})
    inner = base64.b64decode(base64.b64decode(encoded))
    assert inner[:2] == b"\x1f\x8b" and json.loads(gzip.decompress(inner)) == {"a": 1}
    assert decode_release(encoded) == {"a": 1}


def test_nothing_to_do_without_a_pending_revision():
    assert plan([], 600, NOW) == ("none", {"status": "absent"})
    action, facts = plan([record(1, "superseded"), record(2, "deployed")], 600, NOW)
    assert action == "none" and facts["revision"] == 2


def test_a_fresh_pending_revision_means_another_run_is_working():
    action, facts = plan([record(1, "deployed"), record(2, "pending-upgrade", "2026-11-24T11:59:00Z")], 600, NOW)
    assert action == "wait" and facts["age_seconds"] == 60


def test_a_stale_pending_revision_is_recovered_by_marking_it_failed():
    stale = record(2, "pending-upgrade")
    action, facts = plan([record(1, "deployed"), stale], 600, NOW)
    assert action == "recover" and facts["revision"] == 2 and facts["age_seconds"] == 3600
    fixed = mark_failed(stale, "interrupted")
    release = decode_release(fixed["data"]["release"])
    assert release["info"] == {"status": "failed", "description": "interrupted"}
    assert release["manifest"] == "kind: ConfigMap", "the rest of the record is kept"
    assert fixed["metadata"]["labels"]["status"] == "failed"
    assert stale["metadata"]["labels"]["status"] == "pending-upgrade", "the input is not modified"


def test_revision_order_is_numeric():
    action, facts = plan([record(9, "deployed"), record(10, "pending-rollback")], 10 ** 6, NOW)
    assert facts["revision"] == 10 and action == "wait"


def test_the_deployed_revision_is_reported_for_undoing_an_interrupted_one():
    records = [record(1, "superseded"), record(2, "deployed"), record(3, "pending-upgrade")]
    assert plan(records, 0, NOW)[1]["deployed_revision"] == 2
    assert plan([record(1, "pending-install")], 0, NOW)[1]["deployed_revision"] == 0


def test_history_lists_every_revision_oldest_first_without_values():
    from ansible_collections.thebot.platform.plugins.module_utils.helm_release import encode_release, history

    def record(version, status, secret="hunter2"):
        release = {"info": {"status": status, "last_deployed": "2026-11-2%dT10:00:00Z" % version,
                            "description": "Upgrade complete"},
                   "chart": {"metadata": {"name": "thebot", "version": "0.1.0", "appVersion": "1.0.%d" % version}},
                   "config": {"secrets": {"postgresPassword": secret}}}
        return {"metadata": {"name": "sh.helm.release.v1.thebot.v%d" % version, "creationTimestamp": "x",
                             "labels": {"version": str(version), "status": status}},
                "data": {"release": encode_release(release)}}

    rows = history([record(2, "pending-upgrade"), record(1, "deployed")])
    assert [(r["revision"], r["status"], r["chart"], r["app_version"]) for r in rows] == [
        (1, "deployed", "thebot-0.1.0", "1.0.1"), (2, "pending-upgrade", "thebot-0.1.0", "1.0.2")]
    assert [r["image_tag"] for r in rows] == ["1.0.1", "1.0.2"], "no tag in the values: the chart's appVersion"
    assert "hunter2" not in repr(rows), "the values never leave"
    tagged = record(3, "deployed")
    release = {"chart": {"metadata": {"appVersion": "1.0.0"}},
               "config": {"image": {"tag": "1.4.2"}, "backend": {"image": {"digest": "sha256:" + "a" * 64}}}}
    tagged["data"]["release"] = encode_release(release)
    assert history([tagged])[0]["image_tag"] == "1.4.2", "by digest, the tag the release gave"
    release["config"]["backend"]["image"]["tag"] = "1.4.3"
    tagged["data"]["release"] = encode_release(release)
    assert history([tagged])[0]["image_tag"] == "1.4.3", "the backend's own tag first"
    broken = {"metadata": {"name": "x", "creationTimestamp": "2026-11-28T00:00:00Z", "labels": {"version": "3"}},
              "data": {"release": "not base64"}}
    assert history([broken])[0]["revision"] == 3, "an unreadable record is listed, not a traceback"
