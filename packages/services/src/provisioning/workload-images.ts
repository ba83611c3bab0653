// The container image a node runs for each workload: pinned defaults that carry what the workload
// needs (vLLM's OpenAI server for llm, PyTorch for training, the CUDA runtime for batch), each
// replaceable by the operator (GPU_SHOPPER_IMAGE_LLM / _TRAINING / _BATCH), e.g. with the images
// agent/Dockerfile builds, which have the agent in them already.
import { ValidationError, WORKLOADS, type Workload } from '@gpu-shopper/domain';

export type WorkloadImages = Readonly<Record<Workload, string>>;

/** Pinned by tag: a node boots the same software whenever it is rented. */
export const DEFAULT_WORKLOAD_IMAGES: WorkloadImages = {
  llm: 'vllm/vllm-openai:v0.10.2',
  training: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
  batch: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04',
};

// The grammar of docker/distribution's reference package: [registry[:port]/]path[:tag][@digest],
// path components lower case. Checked here so a typo fails at start-up, not on every create.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
/** docker/distribution's limit on a repository name. */
const MAX_NAME_CHARS = 255;

export const DOCKER_REFERENCE_HINT = 'a docker image reference such as vllm/vllm-openai:v0.10.2 or registry.example.com/team/agent:llm-1@sha256:<digest>';

export function isDockerImageReference(text: string): boolean {
  const name = text.replace(/[:@].*$/, '');
  return REFERENCE.test(text) && name.length <= MAX_NAME_CHARS;
}

/**
 * The image per workload: an override where one is given (blank counts as none), the pinned default
 * otherwise. A malformed override is a ValidationError naming the workload.
 */
export function workloadImages(overrides: Partial<Record<Workload, string | null | undefined>> = {}): WorkloadImages {
  const images = { ...DEFAULT_WORKLOAD_IMAGES };
  for (const workload of WORKLOADS) {
    const override = overrides[workload]?.trim();
    if (override === undefined || override === '') continue;
    if (!isDockerImageReference(override)) throw new ValidationError(`images.${workload}`, `"${override}" is not ${DOCKER_REFERENCE_HINT}`);
    images[workload] = override;
  }
  return images;
}
