# The two commands of the README, and the steps they are made of. Every tool comes from the
# registries at a pinned version: Python packages by hash (requirements.txt), Go binaries from the
# wrapper modules under tests/testbed/gomod (go.sum), built once and cached by version outside the repo.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
# The second ansible-core of meta/runtime.yml's range (test-next), in a virtualenv of its own.
VENV_NEXT ?= .venv-next
TESTBED := $(VENV)/bin/python tests/testbed/testbed.py
# The tools call each other by name (molecule runs ansible-config, ansible-playbook...).
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Tests run on a cluster of their own, so they never touch the one "make deploy" deploys to.
TEST_CLUSTER ?= thebot-test

READMEGEN_DIR := tests/tools/readme-generator
CHECKOV_VENV ?= .venv-checkov

.PHONY: help deploy test check setup test-kwok test-offline molecule molecule-create molecule-destroy test-next scan-secrets bench bench-smoke venv node-tools checkov tools ee cluster-up cluster-down cluster-status lint chart-readme chart-schema

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# The environment "make deploy" deploys, and the vault password file of its inventory.
ENV ?= dev
VAULT_PASSWORD_FILE ?= inventories/demo-vault-password.txt

# To the local cluster: its binaries are built (cached) and it is started. To another cluster: only helm and
# helm-diff are built, from the same pinned modules (go.sum): no test-cluster binary.
deploy: venv ## Deploy THE_BOT: ENV=dev to the local test cluster, unless THEBOT_KUBECONFIG names another
	@if [ -z "$${THEBOT_KUBECONFIG:-}" ] && [ "$(ENV)" = dev ]; then $(TESTBED) up >/dev/null; \
	else $(TESTBED) build --deploy-tools >/dev/null; fi
	ansible-playbook deploy.yml -i inventories/$(ENV) --vault-password-file $(VAULT_PASSWORD_FILE) \
	  -e prerequisites_helm_binary=$${THEBOT_TESTBED_HOME:-$$HOME/.cache/thebot-testbed}/bin/helm \
	  -e prerequisites_helm_plugins_dir=$${THEBOT_TESTBED_HOME:-$$HOME/.cache/thebot-testbed}/helm-plugins \
	  $${THEBOT_KUBECONFIG:+-e thebot_kubeconfig=$$THEBOT_KUBECONFIG} $${THEBOT_CONTEXT:+-e thebot_context=$$THEBOT_CONTEXT}

# Every output of the suite's tools lands here; the last step scans it all for credentials.
export THEBOT_TEST_LOGS := $(CURDIR)/.test-logs

# pytest's workers, each on a cluster of its own (thebot-test-gw0, -gw1...): one worker keeps one of the 2 cores
# idle (47-52% busy, measured on tests/integration). A file's tests stay on one worker: they share fixtures.
PYTEST_WORKERS ?= 2

# The whole proof, in three lanes side by side after the set-up (tests/tools/lanes.py): the scenarios on kind with
# real containers; the kwok suite; the tests that need no cluster, the second ansible-core and the benchmark's smoke
# run. Each lane alone leaves cores idle (the kwok suite used 20 CPU-minutes in 24 minutes on 2 cores; the kind
# cluster about half the CPU, vmstat 2026-11-28). The kind lane runs at normal priority: its containers' probes
# have deadlines, and a starved backend once left its Service (a lost read of failed-upgrade); the others are
# niced. Every phase's output: $(THEBOT_TEST_LOGS)/phase-<target>.log; the table at the end says where the time went.
LANES := --lane "kind=molecule" --lane "kwok@5=test-kwok" --lane "offline@10=test-offline test-next bench-smoke"

test: ## Run the whole proof: kind scenarios, the kwok suite, offline tests, ansible-core 2.21, bench smoke, then the secret scan
	rm -rf $(THEBOT_TEST_LOGS)
	$(PYTHON) tests/tools/lanes.py --logs $(THEBOT_TEST_LOGS) --first "setup=setup" $(LANES) --last "scan=scan-secrets"

# The virtualenvs and npm side by side (mostly unpacking: 2 min 30 s one after another on a clean clone), then the
# test bed's binaries (cached; built cold only on a fresh machine).
setup: ## Install every tool the tests use (pinned; cached by version)
	$(MAKE) --no-print-directory -j4 venv node-tools checkov $(VENV_NEXT)/.installed
	$(MAKE) --no-print-directory tools

test-kwok: venv tools ## The pytest suite on the kwok test bed (tests/integration), a cluster per worker
	THEBOT_TESTBED_NAME=$(TEST_CLUSTER) $(VENV)/bin/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile tests/integration

# The tests that need no cluster: the chart (schema, render, kube-score, checkov), lint (ansible-lint, ansible-test
# sanity, yamllint), packaging and the plugins' unit tests.
OFFLINE_TESTS := tests/chart tests/lint tests/packaging tests/unit

test-offline: venv node-tools checkov ## Run the tests that need no cluster (chart, lint, packaging, unit)
	$(VENV)/bin/pytest -p no:cacheprovider $(OFFLINE_TESTS)

# The developer's inner loop: what needs no kind cluster, on two workers, and one kwok deploy with its idempotent
# rerun. Not the proof: make test is.
CHECK_TESTS := $(OFFLINE_TESTS) tests/integration/testbed/test_ports.py \
  tests/integration/deploy/test_deploy.py::test_dev_deploys_then_a_second_run_changes_nothing

check: venv node-tools checkov tools ## The fast inner loop: the offline tests and a kwok deploy smoke (minutes; make test is the proof)
	THEBOT_TESTBED_NAME=thebot-check $(VENV)/bin/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile $(CHECK_TESTS)

scan-secrets: venv ## Scan every log the tests wrote (.test-logs) for every credential they know: zero hits
	$(VENV)/bin/python tests/tools/scan_secrets.py $(THEBOT_TEST_LOGS)

# Benchmarks (bench/README.md): every tool deploys to a cluster of its own, thebot-bench.
BENCH_RUNS ?= 5
BENCH_PARALLEL ?= 1,5,10

bench: venv tools ## Measure a deploy against raw helm, helmfile and a bare kubernetes.core.helm task; then profile the no-op
	$(VENV)/bin/python bench/bench.py --runs $(BENCH_RUNS) --parallel $(BENCH_PARALLEL)
	$(VENV)/bin/python bench/profile.py --runs $(BENCH_RUNS)

# The smoke run proves the benchmark's own paths (our deploy, its baseline raw helm, N at once, a fleet, the profile);
# the peers (helmfile, whose cold build alone is about 8 CPU-minutes, and the bare task) are make bench's.
bench-smoke: venv tools ## The benchmark and the profile in short (1 run of ours and raw helm, N = 1 and 2) into .test-logs/bench: proves they work
	$(VENV)/bin/python bench/bench.py --runs 1 --parallel 1,2 --tools ours,helm --out $(THEBOT_TEST_LOGS)/bench --logs $(THEBOT_TEST_LOGS)/bench/logs
	$(VENV)/bin/python bench/profile.py --runs 1 --out $(THEBOT_TEST_LOGS)/bench --down

# The second ansible-core of meta/runtime.yml's range: the newest for Python 3.12 (requirements-next.in).
PYTHON_NEXT ?= $(shell pyenv prefix $$(pyenv latest 3.12) 2>/dev/null)/bin/python3.12
# What the ansible-core version can change: the plugins (unit tests), every refusal before a write (the
# bad-input catalogue, rollback's and uninstall's settings), a deploy and its idempotent rerun, check mode, what a
# tag selects, and the 'safe by construction' tests of the roles' own logic (conditionals, the lock's refusal).
# The rest of tests/integration/deploy, recover and awx prove the chart, helm and the API server, the same on
# either version; CI's 90 minutes go to the real containers of make molecule instead.
NEXT_TESTS := tests/unit tests/integration/validate tests/integration/deploy/test_safe_by_construction.py \
  tests/integration/deploy/test_deploy.py::test_dev_deploys_then_a_second_run_changes_nothing \
  tests/integration/deploy/test_deploy.py::test_check_diff_shows_the_change_and_writes_nothing \
  tests/integration/deploy/test_drift_playbook.py \
  tests/integration/deploy/test_deploy.py::test_a_tag_of_the_work_under_the_lock_runs_all_of_it_and_rolls_no_pod \
  tests/integration/deploy/test_playbooks.py::test_rollback_and_uninstall_refuse_bad_settings_before_any_write_and_uninstall_waits_as_told
NEXT_SKIP := test_the_chart_owns or test_an_older_secret or test_an_unusable or test_status_shows or prod-secret

test-next: $(VENV_NEXT)/.installed ## Run the product's tests on ansible-core 2.21 (Python 3.12), on a cluster of their own
	THEBOT_TESTBED_NAME=thebot-next $(VENV_NEXT)/bin/pytest -p no:cacheprovider $(NEXT_TESTS) -k "not ($(NEXT_SKIP))"

$(VENV_NEXT)/.installed: requirements-next.txt
	$(PYTHON_NEXT) -m venv $(VENV_NEXT)
	$(VENV_NEXT)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $<
	touch $@

# The scenarios run in two lanes side by side on the one kind cluster, each scenario in a namespace of its own and
# the client namespaces made once (molecule/README.md). make molecule starts the cluster (the default scenario's
# create), runs each lane as a molecule process of its own, then stops the cluster whatever happened (destroy). Each
# molecule process has a state directory of its own: molecule writes a scenario's inventory (the environment's
# group_vars it links) there, so two scenarios of one process side by side (molecule --workers) would deploy with
# each other's values. A fresh state per run also means a run killed before its destroy misleads no later run
# (molecule's default state outlives the run and would still say "created"). A lane's phases: lanes.py's table.
MOLECULE_LANE_a := backup upgrade
MOLECULE_LANE_b := default execution-environment failed-upgrade prod uninstall
MOLECULE := NO_COLOR=1 $(VENV)/bin/molecule

molecule: venv ## Run every molecule scenario (molecule/README.md) on the kind cluster they share, real containers, two lanes at once
	mkdir -p $(THEBOT_TEST_LOGS)/molecule
	state=$$(mktemp -d -t thebot-molecule.XXXXXX); echo "molecule's state: $$state"; status=0; \
	MOLECULE_STATE=$$state $(PYTHON) tests/tools/lanes.py --title "make molecule" --logs $(THEBOT_TEST_LOGS) \
	  --first "cluster=molecule-create" --lane "a=molecule-lane-a" --lane "b=molecule-lane-b" \
	  --always "cluster=molecule-destroy" || status=$$?; \
	for log in $$state/*/ansible-*.log; do \
	  cp $$log $(THEBOT_TEST_LOGS)/molecule/$$(basename $$(dirname $$log))-$$(basename $$log) || status=1; done; \
	rm -rf $$state; exit $$status

# make molecule's steps (MOLECULE_STATE: its state directory).
molecule-create: venv
	$(MOLECULE) create
molecule-create molecule-destroy: export MOLECULE_EPHEMERAL_DIRECTORY = $(MOLECULE_STATE)/cluster

molecule-lane-%: venv
	mkdir -p $(MOLECULE_STATE)/lane-$*
	cp $(MOLECULE_STATE)/cluster/cluster.yml $(MOLECULE_STATE)/lane-$*/cluster.yml
	THEBOT_MOLECULE_STARTED=1 MOLECULE_EPHEMERAL_DIRECTORY=$(MOLECULE_STATE)/lane-$* \
	  $(MOLECULE) test $(addprefix -s ,$(MOLECULE_LANE_$*))

molecule-destroy: venv
	$(MOLECULE) destroy

venv: $(VENV)/.installed ## Install the pinned Python tool chain into .venv

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.txt
	touch $@

checkov: $(CHECKOV_VENV)/.installed ## Install checkov (policy checks of the rendered chart) in its own virtualenv

$(CHECKOV_VENV)/.installed: tests/tools/checkov/requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $<
	touch $@

node-tools: $(READMEGEN_DIR)/node_modules/.installed ## Install the chart README generator (npm ci: lockfile integrity)

$(READMEGEN_DIR)/node_modules/.installed: $(READMEGEN_DIR)/package-lock.json
	npm ci --prefix $(READMEGEN_DIR) --no-audit --no-fund --loglevel=error
	touch $@

chart-readme: node-tools ## Regenerate the values table of charts/thebot/README.md
	$(READMEGEN_DIR)/node_modules/.bin/readme-generator --values charts/thebot/values.yaml --readme charts/thebot/README.md

chart-schema: venv ## Regenerate charts/thebot/values.schema.json
	$(VENV)/bin/python charts/thebot/schema/generate.py

ee: venv ## Build the execution environment's image from execution-environment.yml (tests/testbed/eeimage.py; loaded, not rebuilt, for unchanged inputs)
	$(VENV)/bin/python tests/testbed/eeimage.py build

tools: venv ## Build the cluster binaries, helm and helm-diff (cached by version)
	$(TESTBED) build

cluster-up: venv ## Start the local cluster (idempotent) and print its kubeconfig path
	$(TESTBED) up

cluster-down: venv ## Stop every process of the local cluster and remove its data
	$(TESTBED) down

cluster-status: venv ## Show each component of the local cluster
	$(TESTBED) status

lint: venv ## yamllint over the repository
	$(VENV)/bin/yamllint --strict .
