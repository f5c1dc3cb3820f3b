import hashlib
import json

from ansible_collections.thebot.platform.plugins.module_utils.drift import (
    ABSENT, HIDDEN, credentials_change, credentials_checksum, deployed_objects, differences, inventory_changes,
    parse_helm_diff, summary)

# helm-diff 3.9's output (format diff, full context, --no-color) for a replica change and an added object.
HELM_DIFF = """\
thebot-dev, thebot-backend, Deployment (apps) has changed:
  # Source: thebot/templates/apps.yaml
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: thebot-backend
  spec:
-   replicas: 1
+   replicas: 2
    template:
      spec:
        containers:
        - name: backend
-         image: thebot/backend:1.0.0
+         image: thebot/backend:1.0.3

thebot-dev, thebot-extra, Secret (v1) has been added:
+ # Source: thebot/templates/secret.yaml
+ apiVersion: v1
+ kind: Secret
+ metadata:
+   name: thebot-extra
+ data:
+   password: '++++++++ # (8 bytes)'

thebot-dev, thebot-old, Secret (v1) has changed:
  apiVersion: v1
  kind: Secret
  metadata:
    name: thebot-old
  data:
-   password: '-------- # (8 bytes)'
+   password: '++++++++ # (9 bytes)'
"""


def test_helm_diff_sections_are_objects_with_their_release_and_rendered_yaml():
    sections = parse_helm_diff(HELM_DIFF)
    assert [(s["object"], s["namespace"], s["change"]) for s in sections] == [
        ("Deployment/thebot-backend", "thebot-dev", "changed"), ("Secret/thebot-extra", "thebot-dev", "added"),
        ("Secret/thebot-old", "thebot-dev", "changed")]
    assert "replicas: 1" in sections[0]["before"] and "replicas: 2" not in sections[0]["before"]
    assert "replicas: 2" in sections[0]["after"]


def test_inventory_changes_name_each_field_and_never_a_secrets_value():
    changes = inventory_changes(HELM_DIFF)
    assert changes[0]["fields"] == [
        {"path": "spec.replicas", "release": 1, "inventory": 2},
        {"path": "spec.template.spec.containers[0].image", "release": "thebot/backend:1.0.0",
         "inventory": "thebot/backend:1.0.3"}]
    assert changes[1] == {"object": "Secret/thebot-extra", "namespace": "thebot-dev", "change": "added", "fields": []}
    assert changes[2]["fields"] == [{"path": "data.password", "release": HIDDEN, "inventory": HIDDEN}]
    assert inventory_changes("") == []


def test_a_manifest_against_its_live_object_ignores_what_the_api_server_adds_and_how_it_spells_quantities():
    manifest = {"kind": "Deployment", "metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "thebot"},
                                                   "creationTimestamp": None},
                "spec": {"replicas": 1, "template": {"spec": {"containers": [
                    {"name": "a", "resources": {"limits": {"cpu": "0.5", "memory": "1024Mi"}}, "env": []}]}}}}
    live = {"kind": "Deployment", "metadata": {"name": "a", "uid": "1", "labels": {"app.kubernetes.io/name": "thebot"}},
            "spec": {"replicas": 1, "progressDeadlineSeconds": 600, "template": {"spec": {"containers": [
                {"name": "a", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                 "imagePullPolicy": "IfNotPresent"}]}}},
            "status": {"replicas": 1}}
    assert differences(manifest, live, subset=True) == []
    live["spec"]["replicas"] = 3
    live["metadata"]["labels"]["app.kubernetes.io/name"] = "other"
    live["spec"]["template"]["spec"]["containers"].append({"name": "sidecar"})
    found = list(differences(manifest, live, subset=True))
    assert [f[0] for f in found] == ['metadata.labels["app.kubernetes.io/name"]', "spec.replicas",
                                     "spec.template.spec.containers[1]"]
    assert found[1][1:] == (1, 3)
    # Not a subset: a field either side lacks is a difference.
    assert [f[0] for f in differences({"a": 1}, {"a": 1, "b": 2})] == ["b"]


def test_a_number_is_not_taken_for_a_quantity_of_another_spelling_unless_one_is_text():
    assert differences({"x": 1}, {"x": True}) != []
    assert differences({"x": "1"}, {"x": 1}) == []
    assert differences({"x": "latest"}, {"x": "1"}) != []


def test_objects_of_a_release_are_its_manifest_and_its_lasting_hooks():
    release = {"manifest": "kind: Service\nmetadata: {name: a}\n---\n# empty\n",
               "hooks": [{"kind": "ConfigMap", "manifest": "kind: ConfigMap\nmetadata: {name: c}\n",
                          "delete_policies": ["before-hook-creation"]},
                         {"kind": "Job", "manifest": "kind: Job\nmetadata: {name: j}\n"},
                         {"kind": "ConfigMap", "manifest": "kind: ConfigMap\nmetadata: {name: gone}\n",
                          "delete_policies": ["hook-succeeded"]}]}
    assert [(o["kind"], o["metadata"]["name"]) for o in deployed_objects(release)] == [("Service", "a"),
                                                                                       ("ConfigMap", "c")]


def test_the_credentials_checksum_is_the_secrets_roles():
    data = {"b": "Yg==", "a": "YQ=="}
    # The secrets role: __secrets_data | to_json(sort_keys=true) | hash('sha256'), to_json being json.dumps.
    assert credentials_checksum({"data": data}) == hashlib.sha256(
        json.dumps(dict(sorted(data.items())), sort_keys=True).encode()).hexdigest()
    assert credentials_checksum({}) == hashlib.sha256(b"{}").hexdigest()


def test_one_line_says_the_state_and_what_differs():
    base = {"release_name": "thebot", "release": {"revision": 3, "app_version": "1.0.0", "status": "deployed"},
            "lock": {}, "inventory": [], "live": []}
    assert summary(dict(base, state="in-sync")) == "in sync at revision 3 (1.0.0)"
    assert summary(dict(base, state="not-installed")) == "not installed (no release thebot)"
    stuck = dict(base, state="stuck", release={"revision": 2, "status": "failed", "description": "x" * 300 + "\nmore"})
    assert summary(stuck).startswith("stuck: revision 2 is failed (" + "x" * 97 + "...)")
    inventory = [{"object": "Deployment/a%d" % i, "change": "changed", "fields": []} for i in range(6)]
    drifted = dict(base, state="drifted", inventory=inventory,
                   live=[{"object": "Deployment/b", "change": "changed", "by": ["kubectl"],
                          "fields": [{"path": "spec.replicas", "release": 1, "live": 3}]},
                         {"object": "Secret/c", "change": "missing", "fields": [], "by": []}])
    assert summary(drifted) == ("drifted at revision 3 (1.0.0): the inventory would change 6 object(s): Deployment/a0, "
                                "Deployment/a1, Deployment/a2, Deployment/a3 and 2 more; changed by hand: "
                                "Deployment/b spec.replicas (by kubectl), Secret/c missing")
    assert ABSENT not in summary(drifted)


def test_the_credentials_secret_changed_or_deleted_by_hand_is_named_never_shown():
    secret = {"metadata": {"managedFields": [{"manager": "helm", "operation": "Update"},
                                             {"manager": "kubectl-edit", "operation": "Update"}]},
              "data": {"password": "c2VjcmV0"}}
    deployed = {"secrets": {"checksum": credentials_checksum(secret)}}
    assert credentials_change("creds", "ns", secret, deployed) == []
    assert credentials_change(None, "ns", None, deployed) == []
    assert credentials_change("creds", "ns", None, deployed)[0]["change"] == "missing"
    edited = dict(secret, data={"password": "b3RoZXI="})
    change = credentials_change("creds", "ns", edited, deployed)
    assert change == [{"object": "Secret/creds", "namespace": "ns", "change": "changed",
                       "fields": [{"path": "data", "release": HIDDEN, "live": HIDDEN}], "by": ["kubectl-edit"]}]
    assert "c2VjcmV0" not in str(change) and "b3RoZXI=" not in str(change)
