// The cloud-init document: the token only in the root-only env file, every script parses (and passes
// shellcheck where it is installed), the env file reads back the same in sh as docker reads it, and a
// failing install step reports through the bootstrap.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ProviderRejectedError } from '../errors';
import { testSpec } from '../test-support/specs';
import { BOOTSTRAP_PATH, NODE_ENV_FILE, nodeEnvFile, renderCloudInit, START_SCRIPT, START_SCRIPT_PATH, type CloudInitDocument } from './cloud-init';

const run = promisify(execFile);
const TOKEN = 'gsn_S3cr3t-token-value_0123456789abcdef';
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

function renderYaml(document: CloudInitDocument): string {
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}

function specWithToken() {
  return testSpec({ image: 'vllm/vllm-openai:v0.10.2', env: { GPU_SHOPPER_URL: 'https://shopper.example.com', GPU_SHOPPER_SESSION_ID: 'ses_1', GPU_SHOPPER_NODE_TOKEN: TOKEN, GPU_SHOPPER_LLM_MODEL: 'Qwen/Qwen2.5 0.5B' }, bootstrapScript: readFileSync(path.resolve(import.meta.dirname, '../../../../agent/bootstrap/onstart.sh'), 'utf8') });
}

describe('renderCloudInit', () => {
  it('writes the env, token included, to one 0600 root file and nowhere else', () => {
    const document = renderCloudInit(specWithToken());
    const yaml = renderYaml(document);
    expect(yaml.startsWith('#cloud-config\n')).toBe(true);
    const parsed = parse(yaml) as CloudInitDocument;
    expect(parsed).toEqual(document);
    const envFile = parsed.write_files.find((file) => file.path === NODE_ENV_FILE)!;
    expect(envFile).toMatchObject({ permissions: '0600', owner: 'root:root' });
    expect(envFile.content.split('\n')).toEqual(expect.arrayContaining([`GPU_SHOPPER_NODE_TOKEN=${TOKEN}`, 'GPU_SHOPPER_IMAGE=vllm/vllm-openai:v0.10.2', 'GPU_SHOPPER_LLM_MODEL=Qwen/Qwen2.5 0.5B']));
    expect(yaml.split(TOKEN)).toHaveLength(2);
    expect(JSON.stringify(parsed.runcmd)).not.toContain(TOKEN);
    for (const file of parsed.write_files.filter((candidate) => candidate !== envFile)) expect(file.content).not.toContain(TOKEN);
    expect(parsed.runcmd).toEqual([['sh', START_SCRIPT_PATH]]);
    expect(parsed.write_files.find((file) => file.path === BOOTSTRAP_PATH)?.permissions).toBe('0755');
  });

  it('every script it runs parses with sh -n (and passes shellcheck where installed)', async () => {
    const parsed = parse(renderYaml(renderCloudInit(specWithToken()))) as CloudInitDocument;
    const scripts = [...parsed.write_files.filter((file) => file.content.startsWith('#!/bin/sh')).map((file) => file.content), ...parsed.runcmd.map((command) => command.join(' '))];
    expect(scripts).toHaveLength(3);
    const dir = mkdtempSync(path.join(tmpdir(), 'cloud-init-'));
    try {
      for (const [index, script] of scripts.entries()) {
        const file = path.join(dir, `script-${index}.sh`);
        writeFileSync(file, script);
        await run('sh', ['-n', file]);
        if (hasShellcheck) await run('shellcheck', ['-s', 'sh', '-S', 'warning', file]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses env a docker env file cannot carry, without the value in the message', () => {
    expect(() => nodeEnvFile({ GPU_SHOPPER_NODE_TOKEN: `${TOKEN}\nEVIL=1` })).toThrow(ProviderRejectedError);
    const error = (() => {
      try {
        nodeEnvFile({ GPU_SHOPPER_NODE_TOKEN: `${TOKEN}\r` });
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error?.message).toMatch(/GPU_SHOPPER_NODE_TOKEN holds a line break/);
    expect(error?.message).not.toContain(TOKEN);
    expect(() => nodeEnvFile({ 'BAD NAME': 'x' })).toThrow(/not a shell variable name/);
  });
});

describe('the start script', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The start script with its paths moved into a temp dir, and fake docker/apt/curl on PATH. */
  function sandbox(fakes: Record<string, string>) {
    dir = mkdtempSync(path.join(tmpdir(), 'start-node-'));
    const bin = path.join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    for (const [name, body] of Object.entries(fakes)) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    }
    const env = path.join(dir, 'node.env');
    const bootstrap = path.join(dir, 'onstart.sh');
    const script = path.join(dir, 'start.sh');
    writeFileSync(bootstrap, 'echo "bootstrap $* token-length=${#GPU_SHOPPER_NODE_TOKEN} model=$GPU_SHOPPER_LLM_MODEL" >>"$MARK"\n');
    writeFileSync(script, START_SCRIPT.replace(`E=${NODE_ENV_FILE}`, `E=${env}`).replace(`S=${BOOTSTRAP_PATH}`, `S=${bootstrap}`).replace('LOG=/var/log/gpu-shopper-start.log', `LOG=${path.join(dir, 'start.log')}`));
    return { bin, env, script, mark: path.join(dir, 'mark') };
  }

  it('without an image, runs the bootstrap on the VM with the env file read literally', async () => {
    const box = sandbox({});
    writeFileSync(box.env, `${nodeEnvFile({ GPU_SHOPPER_IMAGE: '', GPU_SHOPPER_NODE_TOKEN: TOKEN, GPU_SHOPPER_LLM_MODEL: "it's $HOME `x`" })}`);
    await run('sh', [box.script], { env: { PATH: `${box.bin}:/usr/bin:/bin`, MARK: box.mark } });
    expect(readFileSync(box.mark, 'utf8')).toBe(`bootstrap  token-length=${TOKEN.length} model=it's $HOME \`x\`\n`);
  });

  it('a failed step is reported through the bootstrap with its output, and the start stops', async () => {
    const box = sandbox({ docker: 'echo "docker called: $*" >>"$MARK"; exit 0', 'apt-get': 'echo "E: Unable to locate package docker.io" >&2; exit 100' });
    writeFileSync(box.env, nodeEnvFile({ GPU_SHOPPER_IMAGE: 'vllm/vllm-openai:v0.10.2', GPU_SHOPPER_NODE_TOKEN: TOKEN }));
    // docker is "present" here: the first step that fails is the toolkit's apt-get.
    const result = await run('sh', [box.script], { env: { PATH: `${box.bin}:/usr/bin:/bin`, MARK: box.mark } }).catch((error: { code: number }) => error);
    expect((result as { code?: number }).code).toBe(1);
    const marks = readFileSync(box.mark, 'utf8');
    expect(marks).toContain('bootstrap report-failure install the NVIDIA container toolkit ');
    expect(marks).not.toMatch(/docker called: (pull|run)/);
    expect(readFileSync(path.join(dir, 'start.log'), 'utf8')).toContain('E: Unable to locate package docker.io');
  });
});
