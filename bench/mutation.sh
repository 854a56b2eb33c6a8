#!/usr/bin/env bash
# Mutation testing (mutmut 3), one module at a time with the tests that cover it; prints killed / total per module.
#
#   bench/mutation.sh                        # every module below
#   bench/mutation.sh fashionm3/images.py    # only these modules (paths as in the list)
#
# Each module runs in its own scratch copy under .mutation/<module>/ (kept for `mutmut show <name>` there).
# Mutants listed in bench/mutation-equivalents.md (a backticked name, then the reason) are left out of the score.
# Score = detected / (total - equivalents), detected = killed + timeout + a crashed test run (mutmut's "segfault" and
# "suspicious": an abnormal exit, e.g. PIL aborting on a bad filter size); "survived" and "no tests" count against it.
set -euo pipefail

NO_APP_FETCH="--deselect=tests/test_fetch.py::test_the_running_app_refuses_loopback_urls_with_one_text_over_mcp"
# module to mutate | the test files that cover it (fast ones, no app launch).  Add modules here.
MODULES=(
  "fashionm3/security/identity.py|tests/test_mutation_security.py"
  "fashionm3/security/inputs.py|tests/test_mutation_security.py"
  "fashionm3/security/fetch.py|tests/test_mutation_fetch.py tests/test_fetch.py $NO_APP_FETCH"
  "fashionm3/images.py|tests/test_mutation_images.py tests/test_mutation_fetch.py"
  "fashionm3/store/sql.py|tests/test_mutation_store.py"
  "fashionm3/people/files.py|tests/test_mutation_store.py"
  "fashionm3/stylist/state.py|tests/test_mutation_state.py"
  "fashionm3/tryon/garments.py|tests/test_mutation_images.py"
  "fashionm3/study/records.py|tests/test_mutation_study.py"
  "fashionm3/retrieval/query.py|tests/test_mutation_query.py"
  "fashionm3/retrieval/preference.py|tests/test_mutation_preference.py"
  "fashionm3/retrieval/engine.py|tests/test_mutation_engine.py tests/test_mutation_preference.py"
  "fashionm3/stylist/router.py|tests/test_mutation_router.py"
  "fashionm3/stylist/grounding.py|tests/test_mutation_grounding.py"
  "fashionm3/stylist/context.py|tests/test_mutation_context.py"
  "fashionm3/stylist/outfit_words.py|tests/test_mutation_context.py"
)

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-/work/main/.venv/bin/python}"
MUTMUT="$(dirname "$PYTHON")/mutmut"
EQUIVALENTS="$ROOT/bench/mutation-equivalents.md"
CHILDREN="${MUTATION_CHILDREN:-2}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
export FASHIONM3_TEST_CATALOG="${FASHIONM3_TEST_CATALOG:-$ROOT/../shared/data/fashion-products}"
# tests/mutation_catalog.py loads the MiniLM text model when imported, so the test run mutmut forks for each mutant
# inherits it instead of loading it again
export FASHIONM3_MUTATION_PRELOAD=1

run_module() {  # $1 module path, $2 space-separated test files
  local module="$1" tests="$2" work="$ROOT/.mutation/${1//\//_}"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$ROOT/fashionm3" "$ROOT/tests" "$ROOT/pytest.ini" "$work/"
  find "$work" -name __pycache__ -prune -exec rm -rf {} +
  "$PYTHON" - "$ROOT/setup.cfg" "$work/setup.cfg" "$module" $tests <<'PY'
import configparser, sys
config = configparser.ConfigParser()
config.read(sys.argv[1])
config["mutmut"]["only_mutate"] = sys.argv[3]
config["mutmut"]["pytest_add_cli_args_test_selection"] = "\n" + "\n".join(sys.argv[4:])
with open(sys.argv[2], "w") as handle:
    config.write(handle)
PY
  local started=$SECONDS
  (cd "$work" && "$MUTMUT" run --max-children "$CHILDREN" >"$work/run.log" 2>&1) || {
    echo "$module: mutmut failed, see $work/run.log"; tail -20 "$work/run.log"; return 1; }
  (cd "$work" && "$MUTMUT" results --all true >"$work/results.txt")
  "$PYTHON" - "$work/results.txt" "$EQUIVALENTS" "$module" $((SECONDS - started)) <<'PY'
import collections, re, sys
results, equivalents_file, module, seconds = sys.argv[1:]
equivalents = set(re.findall(r"`([\w.]+__mutmut_\d+)`", open(equivalents_file).read()))
status = dict(line.strip().rsplit(": ", 1) for line in open(results) if ": " in line)
counted = {name: s for name, s in status.items() if name not in equivalents}
by_status = collections.Counter(counted.values())
DETECTED = ("killed", "timeout", "segfault", "suspicious")
killed = sum(by_status[s] for s in DETECTED)
total = len(counted)
score = killed / total if total else 0.0
print(f"{module}: {killed}/{total} detected = {score:.2f} ({len(status) - total} equivalent excluded; "
      f"{dict(by_status)}; {seconds}s)")
for name, s in sorted(counted.items()):
    if s not in DETECTED:
        print(f"    {s}: {name}")
PY
}

selected=("$@")
for entry in "${MODULES[@]}"; do
  module="${entry%%|*}" tests="${entry#*|}"
  if ((${#selected[@]})) && [[ ! " ${selected[*]} " == *" $module "* ]]; then continue; fi
  run_module "$module" "$tests"
done
