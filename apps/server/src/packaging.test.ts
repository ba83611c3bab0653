// The server image and the deployment material lint clean (there is no Docker engine here, so the
// Dockerfile is checked by a linter and by reading it).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('server packaging', () => {
  it('the root Dockerfile passes dockerfilelint', async () => {
    const linter = path.join(repoRoot, 'node_modules/.bin/dockerfilelint');
    const { stdout } = await run(linter, ['-j', path.join(repoRoot, 'Dockerfile')]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const report = JSON.parse(stdout) as { totalIssues: number; files: { issues: { content: string; title: string }[] }[] };
    // dockerfilelint predates multi-stage builds and HEALTHCHECK --start-period: it reads `FROM
    // <stage>` as an image without a tag, and the flag as a bad argument. test/container-files.test.ts
    // checks both properly (tags of real images; stage names).
    const stageNames = [...readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8').matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]);
    const falsePositive = (issue: { content: string; title: string }) =>
      (issue.title === 'Base Image Missing Tag' && stageNames.some((stage) => issue.content.startsWith(`FROM ${stage} `))) ||
      (issue.title === 'Invalid Argument Format' && /^HEALTHCHECK .*--start-period=\d+s /.test(issue.content));
    expect(report.files[0]?.issues.filter((issue) => !falsePositive(issue))).toEqual([]);
  });

  it('builds with npm ci, runs the bundled server unprivileged, keeps data on a volume, checks health', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "apps\/server\/dist\/main\.js"\]$/m);
  });

  it('ships a compose file that persists the database and passes provider keys through', () => {
    const compose = readFileSync(path.join(repoRoot, 'infra/docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/build:\s*\n\s*context: \.\./);
    for (const name of ['VASTAI_API_KEY', 'TENSORDOCK_API_TOKEN', 'GPU_SHOPPER_SECRET_KEY', 'GPU_SHOPPER_PUBLIC_URL']) expect(compose).toContain(name);
    expect(compose).toMatch(/- gpu-shopper-data:\/data/);
  });
});
