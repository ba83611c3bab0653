// The cloud-init document a TensorDock VM boots with: the node env in a root-only file (never in
// runcmd, which cloud-init logs and keeps world-readable), our bootstrap, and a start script that runs
// the workload image (GPU_SHOPPER_IMAGE) with the agent inside, after installing Docker and the NVIDIA
// container toolkit where the OS image lacks them. Without an image, the bootstrap runs on the VM.
// A failed step is reported to the shopper by the bootstrap (`onstart.sh report-failure`).
import type { InstanceSpec } from '../adapter';
import { ProviderRejectedError } from '../errors';

export const NODE_DIR = '/opt/gpu-shopper';
/** Docker's --env-file format (NAME=value, taken literally), read by the start script the same way. */
export const NODE_ENV_FILE = '/etc/gpu-shopper/node.env';
export const BOOTSTRAP_PATH = `${NODE_DIR}/onstart.sh`;
export const START_SCRIPT_PATH = `${NODE_DIR}/start-node.sh`;
export const NODE_CONTAINER = 'gpu-shopper-node';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CloudInitWriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}

export interface CloudInitDocument {
  write_files: CloudInitWriteFile[];
  runcmd: string[][];
  package_update: boolean;
  package_upgrade: boolean;
}

/** The node's env as the env file holds it; refuses what that format cannot carry. */
export function nodeEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new ProviderRejectedError('tensordock', `create instance: env name ${JSON.stringify(name)} is not a shell variable name`);
      // Never the value in the message: it may be the node token.
      if (/[\r\n\0]/.test(value)) throw new ProviderRejectedError('tensordock', `create instance: env ${name} holds a line break, which an env file cannot carry`);
      return `${name}=${value}\n`;
    })
    .join('');
}

export function renderCloudInit(spec: InstanceSpec): CloudInitDocument {
  const env = { GPU_SHOPPER_IMAGE: spec.image, GPU_SHOPPER_LABEL: spec.label, ...spec.env };
  return {
    write_files: [
      { path: NODE_ENV_FILE, permissions: '0600', owner: 'root:root', content: nodeEnvFile(env) },
      // Readable by all: it holds no secret, and a container running as non-root runs it.
      { path: BOOTSTRAP_PATH, permissions: '0755', owner: 'root:root', content: spec.bootstrapScript },
      { path: START_SCRIPT_PATH, permissions: '0700', owner: 'root:root', content: START_SCRIPT },
    ],
    runcmd: [['sh', START_SCRIPT_PATH]],
    package_update: false,
    package_upgrade: false,
  };
}

/**
 * Runs once per instance from runcmd, as root. Each step's output goes to the log; a failed step's
 * tail is what the shopper is told. Every install is guarded, so a second run changes nothing
 * installed and leaves a running agent container alone.
 */
export const START_SCRIPT = `#!/bin/sh
# GPU Shopper node start on a TensorDock VM (written by cloud-init). No \`set -x\`: the env holds the node token.
set -u
E=${NODE_ENV_FILE}
S=${BOOTSTRAP_PATH}
C=${NODE_CONTAINER}
LOG=/var/log/gpu-shopper-start.log
while IFS= read -r line; do [ -z "$line" ] || export "$line"; done <"$E"
export DEBIAN_FRONTEND=noninteractive

# No image: the bootstrap runs on the VM, as on a bare node (it reports its own failures).
[ -n "\${GPU_SHOPPER_IMAGE:-}" ] || exec sh "$S"
T=$(mktemp)

# step NAME CMD...: the output to the log; on failure reported with its tail, and the start ends.
step() {
  n=$1; shift
  echo "== $n" >>"$LOG"
  if "$@" >"$T" 2>&1; then cat "$T" >>"$LOG"; return 0; fi
  cat "$T" >>"$LOG"
  sh "$S" report-failure "$n" "$T"
  exit 1
}

install_docker() {
  command -v docker >/dev/null 2>&1 && return 0
  apt-get update -qq && apt-get install -y -qq docker.io && systemctl enable --now docker
}
# NVIDIA's apt repository, as its install guide has it; the runtime is registered with Docker once.
install_toolkit() {
  if ! command -v nvidia-ctk >/dev/null 2>&1; then
    K=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg
    apt-get update -qq && apt-get install -y -qq ca-certificates curl gnupg &&
      curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey | gpg --batch --yes --dearmor -o "$K" &&
      curl -fsSL https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list |
      sed "s#deb https://#deb [signed-by=$K] https://#g" >/etc/apt/sources.list.d/nvidia-container-toolkit.list &&
      apt-get update -qq && apt-get install -y -qq nvidia-container-toolkit || return 1
  fi
  docker info 2>/dev/null | grep -qi 'runtimes:.*nvidia' && return 0
  nvidia-ctk runtime configure --runtime=docker && systemctl restart docker
}
# The agent's dead-man switch cannot power the VM off from inside the container: it ends the
# container (PID 1 is docker's init), and this watcher powers the VM off. Any other early end of the
# container (a bad configuration, a failed bootstrap inside) is reported.
watch_container() {
  rc=$(docker wait "$C")
  case "$rc" in
    0) ;;
    143) poweroff ;;
    *) docker logs --tail 15 "$C" >"$T" 2>&1; sh "$S" report-failure "the agent container (exit $rc)" "$T" ;;
  esac
}
start_container() {
  docker rm -f "$C" >/dev/null 2>&1
  docker run -d --name "$C" --init --gpus all --network host --env-file "$E" \\
    -e AGENT_POWEROFF_COMMAND='kill -TERM 1' -v "$S:$S:ro" --entrypoint sh "$GPU_SHOPPER_IMAGE" "$S" --foreground
}

if [ -n "$(docker ps -q --filter "name=^$C\\$" 2>/dev/null)" ]; then echo "$C is running already"; exit 0; fi
step "install Docker" install_docker
step "install the NVIDIA container toolkit" install_toolkit
step "pull $GPU_SHOPPER_IMAGE" docker pull "$GPU_SHOPPER_IMAGE"
step "start $GPU_SHOPPER_IMAGE" start_container
watch_container >>"$LOG" 2>&1 </dev/null &
echo "gpu-shopper node container started ($GPU_SHOPPER_IMAGE)"
`;
