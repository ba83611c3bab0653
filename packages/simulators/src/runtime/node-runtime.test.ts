import { describe, expect, it } from 'vitest';
import { bootstrapScriptOf, createSpawnRuntime, nodeEnvOf, type SimNodeLaunch } from './node-runtime';

const launch: SimNodeLaunch = {
  provider: 'tensordock',
  instanceId: 'i-1',
  label: 'l',
  env: { NODE_GREETING: 'hello' },
  onstart: null,
  cloudInit: { runcmd: ['export B=2', ['echo', '$B']] },
  portMappings: {},
  providerApiUrl: 'http://127.0.0.1:1',
};

describe('node runtime', () => {
  it('turns cloud-init runcmd into one script', () => {
    expect(bootstrapScriptOf(launch)).toBe('export B=2\necho $B');
    expect(bootstrapScriptOf({ ...launch, onstart: 'vast-onstart' })).toBe('vast-onstart');
  });

  it('reads the env TensorDock cloud-init exports, quoting undone, under the container env', () => {
    const cloudInit = { runcmd: ["export GPU_SHOPPER_URL='http://127.0.0.1:9'", "export QUOTED='it'\\''s'", 'export PLAIN=1', 'sh /boot.sh'] };
    expect(nodeEnvOf({ ...launch, cloudInit })).toEqual({ GPU_SHOPPER_URL: 'http://127.0.0.1:9', QUOTED: "it's", PLAIN: '1', NODE_GREETING: 'hello' });
  });

  it("reads the env from cloud-init's env file (NAME=value taken literally), under the container env", () => {
    const cloudInit = { write_files: [{ path: '/etc/gpu-shopper/node.env', content: "GPU_SHOPPER_NODE_TOKEN=gsn_a'b=c\nNODE_GREETING=overridden\n" }, { path: '/opt/x.sh', content: 'A=1\n' }], runcmd: [['sh', '/opt/x.sh']] };
    expect(nodeEnvOf({ ...launch, cloudInit })).toEqual({ GPU_SHOPPER_NODE_TOKEN: "gsn_a'b=c", NODE_GREETING: 'hello' });
  });

  it('spawns the bootstrap with the node env and stops it', async () => {
    const output: string[] = [];
    const runtime = createSpawnRuntime({ onOutput: (_launch, chunk) => output.push(chunk) });
    const handle = await runtime({ ...launch, cloudInit: { runcmd: ['echo "$NODE_GREETING"', 'sleep 5'] } });
    for (let n = 0; n < 100 && !output.join('').includes('hello'); n++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(output.join('')).toContain('hello');
    expect(handle.pid).toBeGreaterThan(0);
    await handle.stop();
  });
});
