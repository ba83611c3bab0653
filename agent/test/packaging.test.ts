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
    const report = JSON.parse(stdout) as { totalIssues: number; files: { issues: { title: string; content: string }[] }[] };
    // dockerfilelint predates build arguments in FROM: it reads `FROM ${ARG}` as an image without a
    // tag. The next test checks that every such argument defaults to a tagged image.
    const falsePositive = (issue: { title: string; content: string }) => issue.title === 'Base Image Missing Tag' && /^FROM \$\{[A-Z_]+\} AS [a-z-]+$/.test(issue.content);
    expect(report.files[0]?.issues.filter((issue) => !falsePositive(issue))).toEqual([]);
  });

  it('builds one target per workload on its pinned base, each with Node, the agent, a health check and the agent as command', () => {
    const dockerfile = readFileSync(path.join(agentDir, 'Dockerfile'), 'utf8');
    const args = Object.fromEntries([...dockerfile.matchAll(/^ARG ([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
    expect(args).toEqual({
      NODE_IMAGE: expect.stringMatching(/^node:20\.[\d.]+-bookworm-slim$/),
      LLM_BASE_IMAGE: 'vllm/vllm-openai:v0.10.2',
      TRAINING_BASE_IMAGE: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
      BATCH_BASE_IMAGE: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04',
    });
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1).map((text) => ({ from: /^FROM \$\{([A-Z_]+)\} AS (\S+)$/m.exec(text), text }));
    expect(stages.map((stage) => stage.from?.slice(1))).toEqual([
      ['NODE_IMAGE', 'agent-files'],
      ['LLM_BASE_IMAGE', 'llm'],
      ['TRAINING_BASE_IMAGE', 'training'],
      ['BATCH_BASE_IMAGE', 'batch'],
    ]);
    expect(stages[0]!.text).toMatch(/^COPY dist\/agent\.js bootstrap\/onstart\.sh \/opt\/gpu-shopper\/$/m);
    for (const { from, text } of stages.slice(1)) {
      const target = from![2]!;
      expect(text, target).toMatch(/^COPY --from=agent-files \/usr\/local\/bin\/node \/usr\/local\/bin\/node$/m);
      expect(text, target).toMatch(/^COPY --from=agent-files \/opt\/gpu-shopper \/opt\/gpu-shopper$/m);
      expect(text, target).toMatch(new RegExp(`GPU_SHOPPER_WORKLOAD=${target}\\b`));
      expect(text, target).toMatch(/^HEALTHCHECK [\s\S]*\/node\/v1\/healthz/m);
      expect(text, target).toMatch(/^CMD \["node", "\/opt\/gpu-shopper\/agent\.js"\]$/m);
      // Non-root where the base allows it; vLLM's image is set up for root (see the Dockerfile).
      if (target === 'llm') expect(text).toMatch(/^ENTRYPOINT \[\]$/m);
      else expect(text, target).toMatch(/^USER agent$/m);
    }
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
