// Lints the Dockerfile, .dockerignore, the compose files and .env.example (there is no Docker engine
// or hadolint here): the rules a reviewer would check by hand, held by a test.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';
import { agentFiles } from '../src/providers';
import { imageEnv, interpolatedNames, parseCompose, parseDockerfile, parseEnvFile, readRepoFile, repoRoot, serviceEnvironment, type DockerStage } from './support/container-files';

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const finalStage = stages.at(-1)!;
const stageNames = new Set(stages.flatMap((stage) => (stage.name === null ? [] : [stage.name])));
const instructions = (stage: DockerStage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword);
const allRuns = stages.flatMap((stage) => instructions(stage, 'RUN'));
const COMPOSE_FILES = ['infra/docker-compose.yml', 'infra/docker-compose.ha.yml'];
const envExample = parseEnvFile(readRepoFile('.env.example'));
const majorOf = (range: string) => Number(/(\d+)/.exec(range)?.[1]);
/** Variables whose value is a credential (a database URL holds one: checked as a URL). */
const SECRET_NAME = /(_KEY|_TOKEN|_SECRET|_PASSWORD)$/;

describe('the Dockerfile', () => {
  it('pins every base image to a tag, never latest, with the Node major of engines and CI', () => {
    const rootPackage = JSON.parse(readRepoFile('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
    const nodeMajor = majorOf(rootPackage.engines.node);
    // CI runs on the Node whose types the code is checked against.
    expect(majorOf(rootPackage.devDependencies['@types/node']!)).toBe(nodeMajor);
    const images = stages.map((stage) => stage.from).filter((from) => !stageNames.has(from));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const tag = /^[^@]+?(?::([^:/@]+))?(?:@sha256:[a-f0-9]{64})?$/.exec(image)?.[1];
      expect(tag, image).toBeDefined();
      expect(tag, image).not.toBe('latest');
      if (image.startsWith('node:')) expect(majorOf(tag!), image).toBe(nodeMajor);
    }
    // The image that runs is a plain Node image, not a stage with compilers in it.
    expect(stageNames.has(finalStage.from)).toBe(false);
  });

  it('runs as a non-root user, copies with COPY and installs from the lockfile', () => {
    const users = instructions(finalStage, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(users.at(-1)!.line).toBeLessThan(instructions(finalStage, 'CMD')[0]!.line);
    expect(stages.flatMap((stage) => instructions(stage, 'ADD'))).toEqual([]);
    expect(allRuns.filter((run) => /\bnpm (install|i|add)\b/.test(run.args))).toEqual([]);
    expect(allRuns.some((run) => /\bnpm ci\b/.test(run.args))).toBe(true);
  });

  it('installs apt packages without recommendations, in the layer that updates and cleans the lists', () => {
    const installs = allRuns.filter((run) => /apt-get install/.test(run.args));
    for (const run of installs) {
      expect(run.args, `line ${run.line}`).toMatch(/apt-get update .*&& .*apt-get install/);
      expect(run.args, `line ${run.line}`).toMatch(/apt-get install (-\S+ )*(-y|--yes)\b/);
      expect(run.args, `line ${run.line}`).toContain('--no-install-recommends');
      expect(run.args, `line ${run.line}`).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
    }
    expect(instructions(finalStage, 'RUN').filter((run) => /apt-get|npm /.test(run.args))).toEqual([]);
  });

  it('holds only built output and production dependencies in the final stage', () => {
    const copies = instructions(finalStage, 'COPY').map((copy) => {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      const paths = copy.args.replace(/--\S+/g, '').trim().split(/\s+/);
      return { from, sources: paths.slice(0, -1), destination: paths.at(-1)!, line: copy.line };
    });
    // Nothing from the build context (sources, tests, .ci), only from earlier stages.
    for (const copy of copies) expect(stageNames.has(copy.from ?? ''), `COPY at line ${copy.line}`).toBe(true);
    // Dependencies from a stage that installed them without dev dependencies...
    const dependencyCopies = copies.filter((copy) => !copy.sources.some((source) => /\/(dist|bootstrap)(\/|$)/.test(source)));
    for (const copy of dependencyCopies) {
      const stage = stages.find((candidate) => candidate.name === copy.from)!;
      expect(instructions(stage, 'RUN').some((run) => /npm ci .*--omit=dev/.test(run.args)), `stage ${copy.from}`).toBe(true);
      expect(instructions(stage, 'COPY').some((run) => /^\.\s/.test(run.args)), `stage ${copy.from} copies no sources`).toBe(false);
    }
    // ...and from the build, only bundles (the console's static build among them) and the node bootstrap script.
    for (const copy of copies.filter((candidate) => !dependencyCopies.includes(candidate))) {
      for (const source of copy.sources) expect(source).toMatch(/^\/app\/(apps\/server\/dist|apps\/console\/dist|agent\/dist\/agent\.js|agent\/bootstrap)$/);
    }
    // Simulated nodes run the agent bundle, and real nodes are sent the bootstrap script: both ship.
    const workdir = instructions(finalStage, 'WORKDIR').at(-1)!.args;
    const shipped = copies.filter((copy) => !dependencyCopies.includes(copy)).map((copy) => path.posix.resolve(workdir, copy.destination));
    const agentRoot = path.join(repoRoot, 'agent');
    for (const file of Object.values(agentFiles())) {
      const inImage = path.posix.join(workdir, path.relative(repoRoot, file).split(path.sep).join('/'));
      expect(shipped.some((destination) => inImage === destination || inImage.startsWith(`${destination}/`)), inImage).toBe(true);
      expect(file.startsWith(agentRoot)).toBe(true);
    }
    // Source maps embed the sources.
    expect(allRuns.some((run) => /find apps\/server\/dist -name '\*\.map' -delete/.test(run.args))).toBe(true);
  });

  it('checks health on /healthz and exposes the port the server reads from the image env', () => {
    expect(instructions(finalStage, 'HEALTHCHECK')[0]?.args).toMatch(/\/healthz/);
    const exposed = instructions(finalStage, 'EXPOSE').map((expose) => Number(expose.args.replace(/\/tcp$/, '')));
    expect(exposed).toEqual([loadConfig(imageEnv(finalStage)).port]);
    expect(loadConfig(imageEnv(finalStage)).dbPath).toMatch(new RegExp(`^${instructions(finalStage, 'VOLUME')[0]!.args.replace(/[["\]]/g, '')}/`));
    expect(instructions(finalStage, 'CMD')[0]!.args).toMatch(/^\[.*\]$/); // exec form: node gets the signals
  });

  it('keeps secrets, local state, tests and the git history out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const pattern of ['.git', '.ci', '**/node_modules', '**/dist', 'data', '**/.env', '**/.env.*', '**/*.test.ts', '**/test', 'coverage']) expect(ignored).toContain(pattern);
    expect(ignored.filter((line) => line.startsWith('!'))).toEqual([]);
  });
});

describe('the compose files', () => {
  const documents = COMPOSE_FILES.map((file) => ({ file, compose: parseCompose(readRepoFile(file)) }));
  const fromThisRepo = (service: { build?: unknown }) => typeof service.build === 'object' && service.build !== null && (service.build as { dockerfile?: string }).dockerfile === 'Dockerfile';

  it('give every service a restart policy and a health check (ours: the image HEALTHCHECK)', () => {
    expect(instructions(finalStage, 'HEALTHCHECK')).toHaveLength(1);
    for (const { file, compose } of documents) {
      for (const [name, service] of Object.entries(compose.services)) {
        expect(service.restart, `${file}: ${name}`).toMatch(/^(always|unless-stopped|on-failure(:\d+)?)$/);
        expect(fromThisRepo(service) || (service.healthcheck?.test !== undefined && service.healthcheck.disable !== true), `${file}: ${name} health check`).toBe(true);
      }
    }
  });

  it('pin every image to a tag, never latest', () => {
    for (const { file, compose } of documents) {
      for (const [name, service] of Object.entries(compose.services)) {
        const image = (service.image ?? '').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
        expect(image, `${file}: ${name}`).toMatch(/^[^:@]+:[A-Za-z0-9._-]+$/);
        expect(image, `${file}: ${name}`).not.toMatch(/:latest$/);
      }
    }
  });

  it('hard-code no secret: keys, tokens and passwords come from the environment or infra/.env', () => {
    for (const { file, compose } of documents) {
      for (const [name, service] of Object.entries(compose.services)) {
        const entries = Array.isArray(service.environment)
          ? service.environment.map((entry) => [entry.split('=')[0]!, entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : null] as const)
          : Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? null : String(value)] as const);
        for (const [variable, value] of entries) {
          if (value === null) continue;
          if (SECRET_NAME.test(variable)) expect(value, `${file}: ${name}.${variable}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
          // A password inside a URL, too.
          const userinfo = /:\/\/[^/:@\s]+:(\$\{[^}]*\}|[^@\s]+)@/.exec(value);
          if (userinfo !== null) expect(userinfo[1], `${file}: ${name}.${variable}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
        }
      }
    }
  });

  it('use only variables that .env.example documents', () => {
    const documented = new Set(envExample.map((entry) => entry.name));
    for (const { file, compose } of documents) {
      for (const name of interpolatedNames(compose)) expect(documented.has(name), `${file}: \${${name}}`).toBe(true);
    }
  });

  it('publish the port the server listens on, and outlast its graceful shutdown', () => {
    const imageConfig = loadConfig(imageEnv(finalStage));
    for (const { file, compose } of documents) {
      for (const [name, service] of Object.entries(compose.services).filter(([, candidate]) => fromThisRepo(candidate))) {
        const containerPorts = [...(service.ports ?? []).map((port) => Number(String(typeof port === 'string' ? port : port.target).split(':').at(-1))), ...(service.expose ?? []).map(Number)];
        expect(containerPorts, `${file}: ${name}`).toEqual([imageConfig.port]);
        const config = loadConfig({ ...imageEnv(finalStage), ...serviceEnvironment(service, { POSTGRES_PASSWORD: 'p', GPU_SHOPPER_DEPLOYMENT_ID: 'd', GPU_SHOPPER_SECRET_KEY: 's', GPU_SHOPPER_ADMIN_KEY: 'admin-key-0123456789' }) });
        expect(Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1]) * 1000, `${file}: ${name}`).toBeGreaterThan(config.shutdownGraceMs);
      }
    }
  });
});

describe('.env.example', () => {
  const composeVariables = COMPOSE_FILES.flatMap((file) => interpolatedNames(parseCompose(readRepoFile(file))));

  it('documents every variable the server reads, and besides them only what the compose files read', () => {
    const documented = envExample.map((entry) => entry.name);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...new Set([...CONFIG_VARIABLES, ...composeVariables])].sort());
  });

  it('is all commented out (a copy left as it is runs simulation mode), each value shown the default', () => {
    expect(envExample.filter((entry) => !entry.commented)).toEqual([]);
    const uncommented = Object.fromEntries(envExample.map((entry) => [entry.name, entry.value]));
    expect(loadConfig(uncommented)).toEqual(loadConfig({}));
    // No secret has a value to copy by mistake.
    for (const entry of envExample.filter((candidate) => SECRET_NAME.test(candidate.name) || candidate.name.endsWith('_DATABASE_URL'))) expect(entry.value, entry.name).toBe('');
  });
});
