#!/usr/bin/env bash
# The action's check step (action.yml): `checker check` with the configuration, its Markdown summary
# appended to the job summary, annotations on standard output (GitHub reads ::error lines), the
# result (and SARIF when asked) written under RUNNER_TEMP, and the outputs for later steps.
# Never fails by itself: the exit status is an output; the Verdict step fails the job.
set -uo pipefail

out="${RUNNER_TEMP:-/tmp}/checker"
mkdir -p "$out"
options=()
[[ -n "${CHECKER_CONFIG:-}" ]] && options+=(--config "$CHECKER_CONFIG")
[[ -n "${CHECKER_PROFILE:-}" ]] && options+=(--profile "$CHECKER_PROFILE")
[[ -n "${CHECKER_SARIF:-}" ]] && options+=(--sarif "$CHECKER_SARIF")
read -r -a extra <<< "${CHECKER_ARGS:-}"

checker check "${options[@]}" "${extra[@]}" --format github --json "$out/result.json" --md "$out/summary.md"
status=$?

if [[ -f "$out/summary.md" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
elif [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  printf '### checker check\n\nThe check could not run (exit status %s): see the log.\n' "$status" >> "$GITHUB_STEP_SUMMARY"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "exit-code=$status"
    [[ -f "$out/result.json" ]] && echo "result=$out/result.json"
    [[ -n "${CHECKER_SARIF:-}" && -f "${CHECKER_SARIF}" ]] && echo "sarif=$CHECKER_SARIF"
  } >> "$GITHUB_OUTPUT"
fi
exit 0
