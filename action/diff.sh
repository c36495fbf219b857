#!/usr/bin/env bash
# The action's pull-request step (action.yml): what the pull request's rule changes do to the data,
# as `checker diff git:<base> <rules> --data <data> --format md`, posted as a comment on the pull
# request (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_TOKEN as GitHub sets them).
# A shallow clone gets the base commit fetched first. A failure here never fails the job.
set -uo pipefail

out="${RUNNER_TEMP:-/tmp}/checker"
mkdir -p "$out"
read -r base number < <(python - "$GITHUB_EVENT_PATH" <<'PY'
import json, sys
event = json.load(open(sys.argv[1], encoding="utf-8"))
pr = event.get("pull_request") or {}
print((pr.get("base") or {}).get("sha", ""), pr.get("number", event.get("number", "")))
PY
)
if [[ -z "$base" || -z "$number" ]]; then
  echo "::warning::checker: no pull request in the event; no diff"
  exit 0
fi
git cat-file -e "$base^{commit}" 2>/dev/null || git fetch --quiet --depth=1 origin "$base" || {
  echo "::warning::checker: cannot fetch the base commit $base; no diff"
  exit 0
}
data="${CHECKER_DIFF_DATA:-}"
if [[ -z "$data" ]]; then
  config=()
  [[ -n "${CHECKER_CONFIG:-}" ]] && config+=(--config "$CHECKER_CONFIG")
  [[ -n "${CHECKER_PROFILE:-}" ]] && config+=(--profile "$CHECKER_PROFILE")
  data=$(checker config "${config[@]}" --format json | python -c \
    'import json, sys; print(next((s["value"] or "") for s in json.load(sys.stdin)["settings"] if s["key"] == "data"))')
fi
rules="${CHECKER_RULES_FOLDER:-rules}"
args=(diff "git:$base:$rules" "$rules" --format md)
[[ -n "$data" ]] && args+=(--data "$data")
if ! checker "${args[@]}" > "$out/diff.md" 2> "$out/diff.err"; then
  echo "::warning::checker diff failed: $(head -c 500 "$out/diff.err")"
  exit 0
fi
python - "$out/diff.md" "$out/comment.json" <<'PY'
import json, sys
body = open(sys.argv[1], encoding="utf-8").read()
marker = "<!-- marketing-checker diff -->"
json.dump({"body": f"{marker}\n{body}"}, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
url="${GITHUB_API_URL:-https://api.github.com}/repos/${GITHUB_REPOSITORY}/issues/${number}/comments"
if ! curl --silent --show-error --fail --max-time 30 -X POST "$url" \
     -H "Authorization: Bearer ${GITHUB_TOKEN:-}" -H "Accept: application/vnd.github+json" \
     -H "X-GitHub-Api-Version: 2022-11-28" --data-binary "@$out/comment.json" > "$out/comment-response.json"; then
  echo "::warning::checker: could not post the pull-request comment"
fi
exit 0
