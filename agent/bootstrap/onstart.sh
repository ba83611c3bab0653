#!/bin/sh
# GPU Shopper node bootstrap: gets Node 20 and the agent, runs it (--foreground: as PID 1's child);
# reports failed steps (also `report-failure STEP [FILE]`). Env: agent/README.md. No set -x (token).
# Kept short: Vast's 4048-char onstart limit includes the SSH key line (an RSA key is ~750).
set -eu
if [ -z "${GPU_SHOPPER_NODE_TOKEN:-}" ] && [ -r /etc/environment ]; then
  set -a; . /etc/environment; set +a
fi
B="${AGENT_BUNDLE_PATH:-/opt/gpu-shopper/agent.js}"
L="${AGENT_LOG:-/var/log/gpu-shopper-agent.log}"
V="${AGENT_NODE_VERSION:-v20.20.0}"

# Reason: STEP + FILE's tail, ASCII (2000 chars = bytes), JSON-escaped. Token via stdin, not argv.
report_failure() {
  [ -n "${GPU_SHOPPER_URL:-}" ] || return 0
  r=$({ [ -s "${2:-}" ] && tail -n 15 "$2"; } | LC_ALL=C tr -c '\n\t -~' '?' | LC_ALL=C awk -v s="$1" '
{ t = t (NR > 1 ? "\n" : ": ") $0 } END { t = substr(s " failed" t, 1, 2000)
for (i = 1; i <= length(t); i++) { c = substr(t, i, 1); if (c == "\n") c = "\\n"; else if (c == "\t") c = "\\t"
else if (c == "\\" || c == "\"") c = "\\" c; o = o c } printf "%s", o }')
  # Again until told to shut down: a report before the shopper knows the instance is not acted on.
  n=${AGENT_REPORT_TRIES:-10}
  while [ "$n" -gt 0 ]; do
    a=$(printf 'header = "Authorization: Bearer %s"\n' "$GPU_SHOPPER_NODE_TOKEN" | curl -fsS -m 30 --retry 3 -K - \
    -H 'Content-Type: application/json' "$GPU_SHOPPER_URL/api/v1/sessions/$GPU_SHOPPER_SESSION_ID/heartbeat" -d \
    "{\"sessionId\":\"$GPU_SHOPPER_SESSION_ID\",\"sentAt\":\"$(date -u +%FT%TZ)\",\"status\":{\"ready\":false,\"runningJobs\":0,\"maxGpuUtilizationPercent\":null},\"activity\":{},\"idle\":{\"idle\":false,\"idleSince\":null,\"reason\":\"bootstrap\"},\"final\":false,\"failure\":{\"stage\":\"bootstrap\",\"reason\":\"$r\"}}" \
    ) || echo "report failed" >&2
    case "$a" in *'"shutdown":true'*) return 0 ;; esac
    n=$((n - 1)); [ "$n" -eq 0 ] || sleep "${AGENT_REPORT_WAIT:-30}"
  done
}
[ "${1:-}" != report-failure ] || { report_failure "$2" "${3:-}"; exit 0; }

O=$(mktemp)
step() {
  n=$1; shift
  "$@" >"$O" 2>&1 && return
  cat "$O" >&2; report_failure "$n" "$O"; exit 1
}
old_node() {
  ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]
}
install_node() {
  { command -v curl && command -v xz || { apt-get update -qq && apt-get install -y -qq ca-certificates curl xz-utils; }; } &&
  case "$(uname -m)" in aarch64) A=arm64 ;; *) A=x64 ;; esac &&
  curl -fsSL --retry 5 "https://nodejs.org/dist/$V/node-$V-linux-$A.tar.xz" | tar -xJ -C /usr/local --strip-components=1 && ! old_node
}
fetch_agent() {
  [ -n "${AGENT_BUNDLE_URL:-}" ] || { echo "no agent at $B and no AGENT_BUNDLE_URL"; return 1; }
  mkdir -p "$(dirname "$B")" && curl -fsSL --retry 5 "$AGENT_BUNDLE_URL" -o "$B.tmp" &&
  { [ -z "${AGENT_BUNDLE_SHA256:-}" ] || echo "$AGENT_BUNDLE_SHA256  $B.tmp" | sha256sum -c -; } && mv "$B.tmp" "$B"
}
! old_node || step "install Node $V" install_node
[ -s "$B" ] || step "fetch the agent" fetch_agent
rm -f "$O"
mkdir -p "${AGENT_WORKSPACE:-/workspace}"

# Exit 0 (graceful) and 2 (bad config) are not worth a restart.
run() {
  while :; do
    rc=0; node "$B" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && return "$rc"
    echo "agent exited with $rc; restarting in 5 s" >&2
    sleep 5
  done
}
[ "${1:-}" != --foreground ] || { run; exit; }
mkdir -p "$(dirname "$L")"
( run ) >>"$L" 2>&1 </dev/null &
echo "gpu-shopper agent started (log: $L)"
