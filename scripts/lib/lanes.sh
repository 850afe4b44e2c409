# run_lanes PYTEST_ARGS...: one selection in two pytest processes (tests/support/lanes.py says which
# test goes where). The main lane runs in the foreground: the benchmarks first, alone, then the
# engine's tests, and last the floods and the load test, once the background lane is done. The
# background lane (no engine, and the soak) starts once the main lane's timed tests are done, and
# its output follows the main lane's. Ctrl-C stops both, each tearing down.
# Sets LANES_RC: the first lane's failure code, else 0; 5 only when neither lane ran a test.
# Sourced after common.sh, with .venv's python on PATH.

run_lanes() {
  # This run's own files (a test runs `scripts/test --lanes` inside a whole run): the log is
  # copied to test-output/lanes/ at the end.
  LANES_WORK=$(mktemp -d)
  local ready="$LANES_WORK/main-timed-done" done="$LANES_WORK/background-done" log="$LANES_WORK/background.log"
  say "background lane's output (printed after the main lane's): $log"
  (
    # A poll, not a pause: the main lane touches the file when its timed tests are done.
    until [ -e "$ready" ] || ! kill -0 "$$" 2>/dev/null; do sleep 1; done
    [ -e "$ready" ] || exit 2  # the script is gone: nothing to run for
    exec python -m pytest -p tests.support.lanes --lane background --lane-done-file "$done" "$@"
  ) >"$log" 2>&1 &
  LANES_BACKGROUND=$!
  # A background job ignores SIGINT: pass Ctrl-C on as SIGTERM, which that lane takes as Ctrl-C.
  trap 'kill -TERM "$LANES_BACKGROUND" 2>/dev/null; wait "$LANES_BACKGROUND"; rm -rf "$LANES_WORK"; exit 130' INT TERM
  local main_rc background_rc
  set +e
  python -m pytest -p tests.support.lanes --lane main --lane-ready-file "$ready" --lane-done-file "$done" "$@"
  main_rc=$?
  touch "$ready"
  wait "$LANES_BACKGROUND"
  background_rc=$?
  set -e
  trap - INT TERM
  say "background lane (the tests that need no engine, and the soak), also in test-output/lanes/background.log:"
  cat "$log"
  mkdir -p "$PROJECT_ROOT/test-output/lanes"
  mv "$log" "$PROJECT_ROOT/test-output/lanes/background.log"
  rm -rf "$LANES_WORK"
  say "main lane: exit $main_rc; background lane: exit $background_rc"
  LANES_RC=$(lanes_exit_code "$main_rc" "$background_rc")
}

# lanes_exit_code MAIN BACKGROUND: the first code that is a failure (pytest's 5, "no tests
# collected", is not one while the other lane ran tests).
lanes_exit_code() {
  local rc
  for rc in "$1" "$2"; do
    case $rc in 0 | 5) ;; *) echo "$rc"; return ;; esac
  done
  if [ "$1" = 5 ] && [ "$2" = 5 ]; then echo 5; else echo 0; fi
}
