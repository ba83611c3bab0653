// The image a node gets follows its workload (pinned defaults, operator overrides), on both providers.
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '@gpu-shopper/domain';
import { createLifecycleHarness, type LifecycleHarness } from '../test-support/lifecycle-harness';
import { DEFAULT_WORKLOAD_IMAGES, isDockerImageReference, workloadImages } from './workload-images';

describe('workloadImages', () => {
  it('defaults each workload to a pinned image that carries what it needs', () => {
    expect(workloadImages()).toEqual({ llm: 'vllm/vllm-openai:v0.10.2', training: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', batch: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04' });
    for (const image of Object.values(DEFAULT_WORKLOAD_IMAGES)) expect(image).toMatch(/:[\w][\w.-]*$/);
  });

  it('takes an override per workload and keeps the defaults of the others; blank means none', () => {
    expect(workloadImages({ llm: 'registry.example.com:5000/team/gpu-shopper-agent:llm-1.2.0', batch: '  ' })).toEqual({
      llm: 'registry.example.com:5000/team/gpu-shopper-agent:llm-1.2.0',
      training: DEFAULT_WORKLOAD_IMAGES.training,
      batch: DEFAULT_WORKLOAD_IMAGES.batch,
    });
    expect(workloadImages({ training: null }).training).toBe(DEFAULT_WORKLOAD_IMAGES.training);
  });

  it('rejects a malformed override, naming the workload', () => {
    expect(() => workloadImages({ training: 'PyTorch/PyTorch:latest' })).toThrow(ValidationError);
    expect(() => workloadImages({ training: 'bad image' })).toThrow(/images\.training: "bad image" is not a docker image reference/);
  });

  it('reads docker references as docker does', () => {
    const valid = ['ubuntu', 'ubuntu:22.04', 'nvidia/cuda:12.4.1-runtime-ubuntu22.04', 'ghcr.io/org/repo/agent:v1', 'localhost:5000/agent', `agent@sha256:${'a'.repeat(64)}`, `r.example.com/a/b:t@sha256:${'0'.repeat(64)}`];
    const invalid = ['', 'Ubuntu', 'ubuntu:', 'ubuntu::1', 'a b', '-agent', 'agent:-x', 'agent@sha256:abc', '/agent', 'agent/', `a/${'b'.repeat(260)}`, 'agent:tag\nrm -rf /'];
    for (const reference of valid) expect(isDockerImageReference(reference), reference).toBe(true);
    for (const reference of invalid) expect(isDockerImageReference(reference), reference).toBe(false);
  });
});

describe('the image a provisioned node gets', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  const vastCreates = () => h.sims.vast.requests.filter((request) => request.endpoint === 'create').map((request) => (request.body as { image: string }).image);

  it('on Vast: the workload image (vLLM for llm, CUDA for batch), not one image for every workload', async () => {
    h = await createLifecycleHarness({}, { vastOfferCount: 20, tensordockHostnodeCount: 1 });
    await h.provision({ provider: 'vastai', workload: 'llm', llmModel: 'Qwen/Qwen2.5-0.5B-Instruct' });
    await h.provision({ provider: 'vastai', workload: 'batch' });
    expect(vastCreates()).toEqual(['vllm/vllm-openai:v0.10.2', 'nvidia/cuda:12.4.1-runtime-ubuntu22.04']);
  });

  it('an operator override wins for its workload; on TensorDock it reaches the node as GPU_SHOPPER_IMAGE on the OS image', async () => {
    const override = 'registry.example.com/gpu-shopper-agent:training-1.0.0';
    h = await createLifecycleHarness({}, { vastOfferCount: 20, tensordockHostnodeCount: 5, images: { training: override } });
    await h.provision({ provider: 'vastai', workload: 'training' });
    expect(vastCreates()).toEqual([override]);
    await h.provision({ provider: 'tensordock', workload: 'training' });
    const create = h.sims.tensordock.requests.find((request) => request.endpoint === 'create')!;
    const attributes = (create.body as { data: { attributes: { image: string; cloud_init: { write_files: { path: string; content: string }[] } } } }).data.attributes;
    expect(attributes.image).toBe('ubuntu2404');
    const envFile = attributes.cloud_init.write_files.find((file) => file.path.endsWith('.env'))!;
    expect(envFile.content.split('\n')).toContain(`GPU_SHOPPER_IMAGE=${override}`);
  });

  it('a node is told where to download the agent and its SHA-256 when the shopper serves its bundle, and not otherwise', async () => {
    const sha256 = 'ab'.repeat(32);
    h = await createLifecycleHarness({}, { vastOfferCount: 20, tensordockHostnodeCount: 1, agentBundle: () => ({ url: 'https://shopper.example.com/node/agent.js', sha256 }) });
    await h.provision({ provider: 'vastai', workload: 'batch' });
    const env = (h.sims.vast.requests.find((request) => request.endpoint === 'create')!.body as { env: Record<string, string> }).env;
    expect(env).toMatchObject({ AGENT_BUNDLE_URL: 'https://shopper.example.com/node/agent.js', AGENT_BUNDLE_SHA256: sha256 });
    await h.close();
    h = await createLifecycleHarness({}, { vastOfferCount: 20, tensordockHostnodeCount: 1 });
    await h.provision({ provider: 'vastai', workload: 'batch' });
    const bare = (h.sims.vast.requests.find((request) => request.endpoint === 'create')!.body as { env: Record<string, string> }).env;
    expect(bare.AGENT_BUNDLE_URL).toBeUndefined();
  });
});
