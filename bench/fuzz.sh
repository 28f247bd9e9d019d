#!/usr/bin/env bash
# The fuzzers, run longer than `make test` does: hypothesis on the engine's inputs and on the
# socket frames (2000 and 400 examples instead of 60 and 40), schemathesis against the OpenAPI
# document (50 cases per operation and mode instead of 5, randomised, and strict: the known
# gaps in the document fail too), and the browser corpora once more.
#
#   bench/fuzz.sh            everything
#   bench/fuzz.sh engine     one part: engine | frames | openapi | browser
#
# Prints what ran and what it found; exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/pytest"
export TAPLINE_FUZZ=long
parts=("${@:-engine frames openapi browser}")
read -r -a parts <<<"${parts[*]}"
status=0
report=()

run() {
  local name=$1; shift
  echo "== $name: $*"
  local started=$SECONDS
  if "$@"; then
    report+=("PASS  $name ($((SECONDS - started)) s)")
  else
    report+=("FAIL  $name ($((SECONDS - started)) s): see above")
    status=1
  fi
}

for part in "${parts[@]}"; do
  case $part in
    engine)
      run "engine inputs (hypothesis, 2000 examples)" \
        $PYTEST -q -p no:cacheprovider --hypothesis-show-statistics tests/engine/test_fuzz_inputs.py
      run "engine inputs, interpreted (no mypyc build)" \
        env TAPLINE_INTERPRETED=1 $PYTEST -q -p no:cacheprovider tests/engine/test_fuzz_inputs.py ;;
    frames)
      run "socket frames (hypothesis, 400 examples)" \
        $PYTEST -q -p no:cacheprovider --hypothesis-show-statistics tests/web/sockets/test_fuzz_frames.py ;;
    openapi)
      run "OpenAPI (schemathesis, 50 per operation and mode, strict)" \
        $PYTEST -q -s -p no:cacheprovider tests/web/api/test_openapi_fuzz.py ;;
    browser)
      run "XSS corpus, masking and sensitive sweep (Chromium)" \
        $PYTEST -q -p no:cacheprovider tests/browser/test_xss.py tests/browser/test_sdk_masking.py \
          tests/browser/test_sensitive_sweep.py ;;
    *) echo "unknown part: $part (engine | frames | openapi | browser)"; exit 2 ;;
  esac
done

echo
echo "== fuzz summary"
printf '%s\n' "${report[@]}"
exit $status
