import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { VastAiAdapter, VAST_MAX_ONSTART_CHARS } from './adapter';
import { compactShellScript } from './onstart-script';

const bootstrap = readFileSync(path.resolve(import.meta.dirname, '../../../../agent/bootstrap/onstart.sh'), 'utf8');
/** The size of an RSA-4096 OpenSSH public key with a comment: the longest key a user is likely to bring. */
const RSA_4096_KEY = `ssh-rsa ${'A'.repeat(716)} someone@their-laptop.example.com`;

describe('compactShellScript', () => {
  it('drops comment lines and indentation, keeps the shebang and every command', () => {
    expect(compactShellScript('#!/bin/sh\n# why\nset -eu\n  if true; then\n    echo "a # b"\n  fi\n\n')).toBe('#!/bin/sh\nset -eu\nif true; then\necho "a # b"\nfi\n');
  });

  it('leaves our bootstrap a valid script that fits beside an RSA-4096 key in Vast\'s onstart', () => {
    const adapter = new VastAiAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', clock: new ManualClock('2026-03-01T00:00:00.000Z') });
    const body = adapter.createRequestBody({ image: 'img', diskGb: 10, env: {}, ports: [22], bootstrapScript: bootstrap, sshPublicKey: RSA_4096_KEY, label: 'l' });
    const onstart = String(body.onstart);
    expect(onstart.length).toBeLessThanOrEqual(VAST_MAX_ONSTART_CHARS);
    // Without compaction it would not fit: the test guards the reason the compaction exists.
    expect(bootstrap.length + RSA_4096_KEY.length).toBeGreaterThan(VAST_MAX_ONSTART_CHARS);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'onstart-')), 'onstart.sh');
    writeFileSync(file, onstart);
    execFileSync('sh', ['-n', file]);
  });
});
