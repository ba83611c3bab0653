#!/bin/sh
# GPU Shopper node bootstrap: Vast.ai onstart script, or TensorDock cloud-init runcmd.
# Installs Node 20 if absent, fetches the bundled agent unless present, runs it in the background
# and restarts it if it crashes. Configuration: environment variables (agent/README.md).
# Extra here: AGENT_BUNDLE_URL, AGENT_BUNDLE_SHA256, AGENT_BUNDLE_PATH, AGENT_NODE_VERSION, AGENT_LOG.
set -eu
# Vast.ai may leave the template's variables only in /etc/environment.
if [ -z "${GPU_SHOPPER_NODE_TOKEN:-}" ] && [ -r /etc/environment ]; then
  set -a; . /etc/environment; set +a
fi
B="${AGENT_BUNDLE_PATH:-/opt/gpu-shopper/agent.js}"
L="${AGENT_LOG:-/var/log/gpu-shopper-agent.log}"
V="${AGENT_NODE_VERSION:-v20.20.0}"

old_node() {
  ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]
}
if old_node; then
  if ! command -v curl >/dev/null 2>&1 || ! command -v xz >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq ca-certificates curl xz-utils >/dev/null
  fi
  case "$(uname -m)" in aarch64) A=arm64 ;; *) A=x64 ;; esac
  curl -fsSL --retry 5 "https://nodejs.org/dist/$V/node-$V-linux-$A.tar.xz" \
    | tar -xJ -C /usr/local --strip-components=1
fi

if [ ! -s "$B" ]; then
  [ -n "${AGENT_BUNDLE_URL:-}" ] || { echo "no agent at $B and no AGENT_BUNDLE_URL" >&2; exit 1; }
  mkdir -p "$(dirname "$B")"
  curl -fsSL --retry 5 "$AGENT_BUNDLE_URL" -o "$B.tmp"
  if [ -n "${AGENT_BUNDLE_SHA256:-}" ]; then
    echo "$AGENT_BUNDLE_SHA256  $B.tmp" | sha256sum -c - >/dev/null
  fi
  mv "$B.tmp" "$B"
fi

mkdir -p "${AGENT_WORKSPACE:-/workspace}" "$(dirname "$L")"
# Exit 0 is a graceful shutdown and 2 a bad configuration: neither is worth a restart.
(
  while :; do
    rc=0; node "$B" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && break
    echo "agent exited with $rc; restarting in 5 s" >&2
    sleep 5
  done
) >>"$L" 2>&1 </dev/null &
echo "gpu-shopper agent started (log: $L)"
