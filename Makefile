# Two commands set up a fresh machine: `make serve` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: serve test compiled collected check lint typecheck layers install bench clean lock

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	# --no-compile: byte-compiling it all took longer than the install; `make test` does it beside its checks.
	$(BIN)/python -m pip install --quiet --no-compile --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The Node SDKs (amazon-cognito-identity-js, Amplify) the compatibility tests drive.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(STAMP) $(NODE_STAMP)

## Start the server on SQLite (USERPOOL_* variables are passed through).
serve: $(STAMP)
	$(BIN)/userpool serve

## Everything CI runs: static checks, then the whole test suite: on SQLite, and on PostgreSQL too where the
## database matters (tests/conftest.py), in PYTEST_WORKERS pytest-xdist workers (README, "Running the tests").
PYTEST_WORKERS ?= 3
# The install, the Node packages, the three static checks and the byte-compiling of the venv run side by side.
test:
	$(MAKE) --no-print-directory -j4 check $(NODE_STAMP) compiled collected
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# The test modules with pytest's assertions rewritten, cached once here for every xdist worker to load: each
# worker would otherwise rewrite them all again (two thirds of a collection's CPU), and where
# PYTHONDONTWRITEBYTECODE is set none would keep what it rewrote.
collected: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest --collect-only -q -p no:cacheprovider > /dev/null

# Bytecode for the installed modules the tests import and the server's own, written once here: the install
# leaves it out (it took longer than the install), and where PYTHONDONTWRITEBYTECODE is set no test process
# would write it, each compiling again what it imports.
# Left out: packages no test process imports (moto, which only `make bench` runs, and what only it, cfn-lint or
# sympy need) and the checkers, which run beside this target and would not wait for it: compiling them was half
# of this target's CPU (about 12 s of 25 s).
NOT_IMPORTED_BY_TESTS := moto cfnlint sympy mpmath isympy networkx pip setuptools wheel mypy mypyc importlinter grimp \
	pathspec flask flask_cors werkzeug blinker itsdangerous docker aws_xray_sdk graphql antlr4 py_partiql_parser \
	jsonschema jsonschema_path jsonschema_specifications openapi_schema_validator openapi_spec_validator \
	jsonpath_ng jsonpatch jsonpointer referencing pathable responses xmltodict lazy_object_proxy pydantic \
	pydantic_settings typing_inspection annotated_types pyparsing markdown_it mdurl
space := $() $()
compiled: $(STAMP)
	$(BIN)/python -m compileall -q -j0 -x '/site-packages/($(subst $(space),|,$(strip $(NOT_IMPORTED_BY_TESTS))))/' $(VENV)/lib src > /dev/null

check: lint typecheck layers

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

## Every scenario on our server (SQLite) and moto, each pinned to CPU 0: a few minutes. Writes docs/benchmarks.md.
## More targets or time: make bench BENCH_ARGS="--targets userpool-sqlite,userpool-postgresql,moto --seconds 10"
BENCH_ARGS ?= --targets userpool-sqlite,moto --seconds 3 --warmup 0.5
bench: $(STAMP)
	$(BIN)/python -m bench run $(BENCH_ARGS)

## Re-pin every dependency after changing pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv && $(BIN)/uv pip compile pyproject.toml --extra dev \
		--python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules userpool-data .pytest_cache .mypy_cache .ruff_cache
