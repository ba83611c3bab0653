import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeWorkspace, defaultNodeUser, EXECUTE_BIT, minimalNodeEnv, nobodyIn, reachableBy, READ_BIT, removeNodeWorkspace, runningAsRoot } from './node-sandbox';
import { createSpawnRuntime, type SimNodeLaunch } from './node-runtime';

const AS_ROOT = runningAsRoot();
const launch: SimNodeLaunch = { provider: 'vastai', instanceId: '42', label: null, env: { NODE_OWN: 'yes' }, onstart: null, cloudInit: null, portMappings: {}, providerApiUrl: 'http://127.0.0.1:1' };

afterEach(() => {
  vi.unstubAllEnvs();
});

async function outputOf(script: string): Promise<string> {
  let output = '';
  const runtime = createSpawnRuntime({ onOutput: (_launch, chunk) => (output += chunk), mainProcess: true });
  const handle = await runtime({ ...launch, onstart: script });
  await handle.died;
  return output;
}

describe('node sandbox', () => {
  it('reads nobody from passwd, with a fallback', () => {
    expect(nobodyIn('root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n')).toEqual({ uid: 65534, gid: 65534 });
    expect(nobodyIn('nobody:*:-2:-2::0:0:Unprivileged User:/var/empty:/usr/bin/false')).toBeNull();
    expect(defaultNodeUser('')).toEqual(AS_ROOT ? { uid: 65534, gid: 65534 } : null);
  });

  it('starts a node from a minimal env: our node on PATH, HOME its workspace', () => {
    const env = minimalNodeEnv('/tmp/ws');
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'PATH']);
    expect(env.HOME).toBe('/tmp/ws');
    expect(env.PATH!.split(':')).toContain(join(process.execPath, '..'));
    expect(env.PATH!.split(':')).toContain('/usr/bin');
  });

  it('tells what a user without groups may reach by mode bits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-reach-'));
    try {
      const file = join(dir, 'f');
      writeFileSync(file, 'x', { mode: 0o644 });
      const other = { uid: 4_000_123, gid: 4_000_123 };
      chmodSync(dir, 0o755);
      expect(reachableBy(file, other, READ_BIT)).toBe(true);
      expect(reachableBy(file, other, EXECUTE_BIT)).toBe(false);
      chmodSync(dir, 0o700);
      expect(reachableBy(file, other, READ_BIT)).toBe(false);
      expect(reachableBy(join(dir, 'missing'), other, READ_BIT)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a private workspace and removes it, whatever is in it', () => {
    const workspace = createNodeWorkspace('vastai/7', null);
    expect(workspace).toMatch(/gpu-shopper-node-vastai_7-/);
    expect(statSync(workspace).mode & 0o777).toBe(0o700);
    mkdirSync(join(workspace, 'a', 'b'), { recursive: true });
    removeNodeWorkspace(workspace);
    expect(existsSync(workspace)).toBe(false);
  });

  it('gives a node none of the server env, its own cwd and HOME, and removes its workspace when it ends', async () => {
    vi.stubEnv('GPU_SHOPPER_ADMIN_KEY', 'server-admin-key-must-not-leak');
    const output = await outputOf('echo "uid=$(id -u)"; echo "cwd=$(pwd)"; env');
    expect(output).not.toContain('server-admin-key-must-not-leak');
    expect(output).toMatch(/^NODE_OWN=yes$/m);
    const cwd = /^cwd=(.*)$/m.exec(output)![1]!;
    expect(cwd).toMatch(/gpu-shopper-node-42-/);
    expect(output).toContain(`HOME=${cwd}\n`);
    expect(existsSync(cwd)).toBe(false);
  });

  it(AS_ROOT ? 'as root: runs the node as nobody, without root groups, in a workspace nobody owns' : 'not root: runs the node as ourselves (no other uid to drop to; see SANDBOX.md)', async () => {
    if (!AS_ROOT) {
      expect(await outputOf('id -u')).toBe(`${process.getuid!()}\n`);
      return;
    }
    const nobody = defaultNodeUser()!;
    const output = await outputOf('echo "ids=$(id -u):$(id -g):$(id -G)"; stat -c "%u:%g %a" .; cat /proc/1/environ >/dev/null 2>&1 || echo "no root environ"');
    expect(output).toContain(`ids=${nobody.uid}:${nobody.gid}:${nobody.gid}\n`);
    expect(output).toContain(`${nobody.uid}:${nobody.gid} 700\n`);
    expect(output).toContain('no root environ');
  });
});
