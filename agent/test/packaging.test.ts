// Packaging: the Dockerfile passes dockerfilelint, the bootstrap fits Vast.ai's onstart limit and
// starts an agent bundle, and the README documents every environment variable the agent reads.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const agentDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(agentDir, '..');
const VAST_ONSTART_LIMIT_CHARS = 4048;

describe('packaging', () => {
  it('the Dockerfile passes dockerfilelint', async () => {
    const linter = path.join(repoRoot, 'node_modules/.bin/dockerfilelint');
    const { stdout } = await run(linter, ['-j', path.join(agentDir, 'Dockerfile')]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const report = JSON.parse(stdout) as { totalIssues: number; files: { issues: unknown[] }[] };
    expect(report.files[0]?.issues).toEqual([]);
    expect(report.totalIssues).toBe(0);
  });

  it('the image is a CUDA base with Node, the single-file agent and a health check', () => {
    const dockerfile = readFileSync(path.join(agentDir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM nvidia\/cuda:[\w.-]+-runtime-ubuntu/m);
    expect(dockerfile).toMatch(/nodejs/);
    expect(dockerfile).toMatch(/^COPY dist\/agent\.js /m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/node\/v1\/healthz/m);
    expect(dockerfile).toMatch(/^USER agent$/m);
  });

  it(`the bootstrap script fits the Vast.ai onstart limit (${VAST_ONSTART_LIMIT_CHARS} characters) and parses`, async () => {
    const script = readFileSync(path.join(agentDir, 'bootstrap/onstart.sh'), 'utf8');
    expect(script.length).toBeLessThan(VAST_ONSTART_LIMIT_CHARS);
    await run('sh', ['-n', path.join(agentDir, 'bootstrap/onstart.sh')]);
  });

  it('the bootstrap script starts the bundle with the environment and does not restart a clean exit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agent-bootstrap-'));
    try {
      const marker = path.join(dir, 'started.txt');
      const bundle = path.join(dir, 'agent.js');
      writeFileSync(bundle, `require('fs').appendFileSync(${JSON.stringify(marker)}, process.env.GPU_SHOPPER_SESSION_ID + '\\n');`);
      const { stdout } = await run('sh', [path.join(agentDir, 'bootstrap/onstart.sh')], {
        env: { ...process.env, GPU_SHOPPER_SESSION_ID: 'sess_boot', GPU_SHOPPER_NODE_TOKEN: 'x'.repeat(20), AGENT_BUNDLE_PATH: bundle, AGENT_LOG: path.join(dir, 'agent.log'), AGENT_WORKSPACE: path.join(dir, 'ws') },
      });
      expect(stdout).toContain('agent started');
      for (let i = 0; i < 100 && !existsSync(marker); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readFileSync(marker, 'utf8')).toBe('sess_boot\n');
      expect(existsSync(path.join(dir, 'ws'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the README documents every environment variable the agent and the bootstrap read', () => {
    const readme = readFileSync(path.join(agentDir, 'README.md'), 'utf8');
    const config = readFileSync(path.join(agentDir, 'src/config.ts'), 'utf8');
    const bootstrap = readFileSync(path.join(agentDir, 'bootstrap/onstart.sh'), 'utf8');
    const fromConfig = [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
    const fromBootstrap = [...bootstrap.matchAll(/\$\{([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]);
    const names = [...new Set([...fromConfig, ...fromBootstrap])];
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
