"""Schema and policy findings, on the real chart's defaults and schema and the inventories' values."""

import copy
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.thebot.platform.plugins.module_utils.policy import POLICIES
from ansible_collections.thebot.platform.plugins.module_utils import values_check
from ansible_collections.thebot.platform.plugins.module_utils.values_check import RULES, merge, read_credentials
from helpers.chart import CHART, env_values

DEFAULTS = yaml.safe_load((CHART / "values.yaml").read_text())
SCHEMA = json.loads((CHART / "values.schema.json").read_text())
CREDENTIALS = read_credentials(str(CHART))
GOOD_SECRETS = {"secret_key": "x7Qm2Lp9Rz4Vt8Nw3Kc6Hb1Fd5Gs0Jy", "postgres_password": "Pq8Wn3Zx6Lm1Vr5Tb9Kd",
                "postgres_user": "thebot", "redis_password": "Rt5Yh8Uj2Ik9Ol3Pa7Sd",
                "telegram_bot_token": "123456:Zx9Cv3Bn7Mq2Wl5Er8Ty", "email_host_password": "Em4Hs8Pw2Xq6Zr1Nv5Kt"}


def check(values, defaults, schema, environment, policy=None, secrets=None, require_digests=False):
    """The module's check, judging credentials by the chart's own list, as the module does."""
    return values_check.check(values, defaults, schema, environment, policy, secrets, CREDENTIALS, require_digests)


def prod_values(**overrides):
    return merge(merge(env_values("prod"), {"image": {"tag": "1.4.2"}}), overrides)


def errors(findings):
    return {(f["path"], f["rule"]) for f in findings if f["severity"] == "error"}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_inventories_pass_their_own_policy(env):
    findings = check(merge(env_values(env), {"image": {"tag": "1.4.2"}}), DEFAULTS, SCHEMA, env,
                     secrets=GOOD_SECRETS)
    assert not errors(findings), findings


def test_every_policy_rule_exists_and_every_table_is_data():
    for env, table in POLICIES.items():
        assert set(table) <= set(RULES), f"{env} names rules that do not exist"
        assert all(s["severity"] in ("error", "warning") for s in table.values())
    assert set(POLICIES["staging"]) < set(POLICIES["prod"]) and set(POLICIES["dev"]) < set(POLICIES["staging"])


def test_all_prod_breaches_are_reported_at_once():
    values = prod_values(debug=True, networkPolicy={"enabled": False},
                         backend={"autoscaling": {"enabled": False}, "replicaCount": 1},
                         image={"tag": "latest"}, ingress={"tls": []},
                         postgresql={"persistence": {"storageClass": ""}},
                         secrets={"postgresPassword": "inline-password"})
    found = errors(check(values, DEFAULTS, SCHEMA, "prod", secrets={"postgres_password": "demo-postgres-password"}))
    expected = {("debug", "debug_off"), ("networkPolicy.enabled", "network_policies"),
                ("backend.replicaCount", "min_replicas"),
                ("image.tag", "image_tag_pinned"), ("ingress.hosts.0.host", "ingress_tls"),
                ("postgresql.persistence.storageClass", "storage_classes"),
                ("secrets.postgresPassword", "no_inline_secrets"), ("secrets.postgres_password", "no_demo_secrets"),
                ("backend.replicaCount", "disruption_budgets")}
    assert expected <= found, expected - found


def test_dev_is_lenient_but_not_about_limits():
    # A chart whose defaults set no cpu limit for the frontend, neither its own nor appDefaults' (this one's do,
    # and helm keeps them); the components that set their own (dev's backend and celery, beat) keep theirs.
    defaults = copy.deepcopy(DEFAULTS)
    del defaults["frontend"]["resources"]["limits"]["cpu"]
    del defaults["appDefaults"]["resources"]["limits"]["cpu"]
    values = merge(env_values("dev"), {"debug": True, "image": {"tag": "latest"}})
    del values["frontend"]["resources"]["limits"]["cpu"]
    findings = check(values, defaults, SCHEMA, "dev")
    assert errors(findings) == {("frontend.resources.limits.cpu", "resources_set")}
    assert any(f["rule"] == "image_tag_pinned" and f["severity"] == "warning" for f in findings)


def test_app_components_take_app_defaults_and_their_own_false_and_zero_win():
    values = merge(env_values("prod"), {"image": {"tag": "1.4.2"}, "appDefaults": {"replicaCount": 1,
                                                                                   "autoscaling": {"enabled": False}}})
    found = errors(check(values, DEFAULTS, SCHEMA, "prod"))
    assert ("celeryBeat.replicaCount", "min_replicas") not in found, "beat is no stateless component"
    # prod's own blocks set autoscaling for backend, frontend and celery: appDefaults does not turn it off.
    assert not {f for f in found if f[1] == "min_replicas"}, found
    off = merge(values, {"backend": {"autoscaling": {"enabled": False}, "replicaCount": 1}})
    assert ("backend.replicaCount", "min_replicas") in errors(check(off, DEFAULTS, SCHEMA, "prod"))
    disabled = merge(values, {"frontend": {"enabled": False}, "appDefaults": {"enabled": True}})
    assert not {f for f in errors(check(disabled, DEFAULTS, SCHEMA, "prod")) if f[0].startswith("frontend.")}


def test_schema_errors_name_the_path_and_stop_before_policy():
    findings = check({"backend": {"replicas": 3, "replicaCount": "two"}, "celeryBeat": {"replicaCount": 2}},
                     DEFAULTS, SCHEMA, "prod")
    paths = {(f["path"], f["rule"]) for f in findings}
    assert ("backend.replicas", "schema.additionalProperties") in paths
    assert ("backend.replicaCount", "schema.type") in paths
    assert ("celeryBeat.replicaCount", "schema.const") in paths
    assert all(f["rule"].startswith("schema.") for f in findings), "policy waits for valid types"
    assert all(f["fix"] for f in findings)


def test_digest_satisfies_the_tag_rule():
    values = prod_values(image={"tag": ""})
    for name in ("backend", "frontend", "celery", "celeryBeat", "postgresql", "redis"):
        values.setdefault(name, {})["image"] = {"digest": "sha256:" + "a" * 64}
    assert not {f for f in errors(check(values, DEFAULTS, SCHEMA, "prod")) if f[1] == "image_tag_pinned"}


DIGEST = "sha256:" + "b" * 64


def digest_findings(values, require_digests=True):
    return {f["path"] for f in check(values, DEFAULTS, SCHEMA, "prod", require_digests=require_digests)
            if f["rule"] == "image_digests"}


def test_required_digests_name_each_image_block_once_and_celery_follows_the_backend():
    # celery, celery-beat and the jobs run the backend's image: its digest pins them, its field is the one named.
    assert digest_findings(prod_values()) == {"backend.image.digest", "frontend.image.digest",
                                              "postgresql.image.digest", "redis.image.digest"}
    assert not digest_findings(prod_values(), require_digests=False), "the switch is off unless asked"
    pinned = prod_values(**{name: {"image": {"digest": DIGEST}}
                            for name in ("backend", "frontend", "postgresql", "redis")})
    assert not digest_findings(pinned)
    # A worker on an image of its own needs its own digest; one pinned to another tag does not take the backend's.
    assert digest_findings(merge(pinned, {"celery": {"image": {"repository": "thebot/worker"}}})) == {
        "celery.image.digest"}
    assert digest_findings(merge(pinned, {"celeryBeat": {"image": {"tag": "1.4.3"}}})) == {
        "celeryBeat.image.digest"}
    message = next(f for f in check(prod_values(), DEFAULTS, SCHEMA, "prod", require_digests=True)
                   if f["path"] == "backend.image.digest")
    assert message["severity"] == "error" and "thebot_image_digests.backend" in message["fix"]


def test_the_backends_tag_pins_the_components_that_run_its_image():
    values = merge(env_values("prod"), {"backend": {"image": {"tag": "1.4.2"}},
                                        "frontend": {"image": {"tag": "1.4.2"}}})
    assert not {f for f in errors(check(values, DEFAULTS, SCHEMA, "prod")) if f[1] == "image_tag_pinned"}


def test_unknown_environment_and_unknown_rule():
    assert errors(check({}, DEFAULTS, SCHEMA, "qa")) == {("environment", "policy.environment")}
    assert ("policy.no_such_rule", "policy.unknown_rule") in errors(
        check({}, DEFAULTS, SCHEMA, "dev", policy={"no_such_rule": {"severity": "error"}}))


def test_merge_does_not_touch_its_inputs():
    base = {"a": {"b": 1}}
    copy_before = copy.deepcopy(base)
    assert merge(base, {"a": {"c": 2}}) == {"a": {"b": 1, "c": 2}}
    assert base == copy_before


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["backend", "frontend", "celeryBeat", "resources", "requests", "limits", "cpu", "memory",
                         "image", "tag", "ingress", "hosts", "tls", "replicaCount", "autoscaling", "debug", "x"]),
        children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(["dev", "staging", "prod", "nowhere"]))
def test_any_shape_of_values_gives_findings_never_a_traceback(values, env):
    findings = check(values, DEFAULTS, SCHEMA, env, secrets={"k": "v"})
    assert isinstance(findings, list)
    for finding in findings:
        assert set(finding) == {"path", "rule", "severity", "message", "fix"}


def test_credentials_are_checked_by_name_and_for_completeness():
    values = merge(env_values("prod"), {"image": {"tag": "1.4.2"}})
    typo = {**GOOD_SECRETS, "postgress_password": GOOD_SECRETS["postgres_password"]}
    assert ("secrets.postgress_password", "secrets_known") in errors(check(values, DEFAULTS, SCHEMA, "prod",
                                                                           secrets=typo))
    missing = {k: v for k, v in GOOD_SECRETS.items() if k != "redis_password"}
    assert ("secrets.redis_password", "secrets_complete") in errors(check(values, DEFAULTS, SCHEMA, "prod",
                                                                          secrets=missing))
    # Without credentials to look at (values alone), completeness is not judged.
    assert not [f for f in check(values, DEFAULTS, SCHEMA, "prod") if f["rule"].startswith("secrets_")]


def test_a_huge_value_is_named_by_its_size_not_quoted():
    findings = check(merge(env_values("dev"), {"config": {"extra": {"BANNER": "x" * 100000}}}), DEFAULTS, SCHEMA,
                     "dev")
    found = [f for f in findings if f["path"] == "config.extra.BANNER"]
    assert found and found[0]["message"] == "a value of 100000 characters fails maxLength 65536"


def test_the_credentials_have_one_list_and_every_reader_uses_it():
    """The chart's files/credentials.yaml: the secrets role, the schema and this module read nothing else."""
    assert [c["key"] for c in CREDENTIALS] == ["SECRET_KEY", "POSTGRES_USER", "POSTGRES_PASSWORD", "REDIS_PASSWORD",
                                               "TELEGRAM_BOT_TOKEN", "EMAIL_HOST_PASSWORD"]
    assert set(SCHEMA["properties"]["secrets"]["properties"]) == {"existingSecret", "checksum"} | {
        c["value"] for c in CREDENTIALS}
    typo = {**GOOD_SECRETS, "redis_pasword": "Rt5Yh8Uj2Ik9Ol3Pa7Sd"}
    assert ("secrets.redis_pasword", "secrets_known") in errors(check(prod_values(), DEFAULTS, SCHEMA, "prod",
                                                                      secrets=typo))


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
@pytest.mark.parametrize("value", ["p@ss", "a?b", "a/b", "50%off", "sp ace", "hash#tag", "ü"])
def test_a_credential_that_goes_into_a_url_takes_only_url_safe_characters(env, value):
    secrets = {**GOOD_SECRETS, "postgres_password": "Pq8Wn3Zx6Lm1Vr5Tb9Kd" + value}
    found = errors(check(merge(env_values(env), {"image": {"tag": "1.4.2"}}), DEFAULTS, SCHEMA, env, secrets=secrets))
    assert ("secrets.postgres_password", "credentials_url_safe") in found
    token = {**GOOD_SECRETS, "telegram_bot_token": "123456:Zx9Cv3Bn7Mq2Wl5Er8Ty/" + value}
    assert not {f for f in errors(check(merge(env_values(env), {"image": {"tag": "1.4.2"}}), DEFAULTS, SCHEMA, env,
                                        secrets=token)) if f[1] == "credentials_url_safe"}, "a token is in no URL"


def test_what_ansibles_password_lookup_makes_goes_into_a_url_as_it_is():
    """Its default characters (letters, digits and . , : - _) and the rest of RFC 3986's userinfo pass."""
    secrets = {**GOOD_SECRETS, "postgres_password": "Ab3.,:-_~!$&'()*+;=Zx9Cv3Bn7Mq2Wl5Er8Ty",
               "redis_password": "q:W,e.R-t_Y8u9I0o1P2a3S"}
    assert not errors(check(prod_values(), DEFAULTS, SCHEMA, "prod", secrets=secrets))
    user = {**GOOD_SECRETS, "postgres_user": "the:bot"}
    found = errors(check(prod_values(), DEFAULTS, SCHEMA, "prod", secrets=user))
    assert ("secrets.postgres_user", "credentials_url_safe") in found, "':' ends a URL's user"
