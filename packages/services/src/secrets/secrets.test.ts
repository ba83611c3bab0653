import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box';
import { generateSshKeyPair } from './ssh-keys';

describe('SecretBox', () => {
  it('round-trips, and never yields the same ciphertext twice', () => {
    const box = SecretBox.load({ secretKey: Buffer.alloc(32, 7).toString('base64'), keyFile: '/nonexistent' });
    const a = box.seal('gsn_token');
    expect(a).not.toContain('gsn_token');
    expect(box.seal('gsn_token')).not.toBe(a);
    expect(box.open(a)).toBe('gsn_token');
  });

  it('refuses a tampered secret or another key', () => {
    const box = SecretBox.fromKey(Buffer.alloc(32, 1));
    const sealed = box.seal('secret');
    expect(() => SecretBox.fromKey(Buffer.alloc(32, 2)).open(sealed)).toThrow();
    expect(() => box.open(sealed.slice(0, -2) + 'AA')).toThrow();
    expect(() => box.open('plain')).toThrow('not a sealed secret');
  });

  it('generates a 0600 key file on first use and reuses it', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'secret-box-')), 'master-key');
    const sealed = SecretBox.load({ secretKey: null, keyFile }).seal('x');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(SecretBox.load({ secretKey: null, keyFile }).open(sealed)).toBe('x');
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
  });

  it('rejects a master key of the wrong size', () => {
    expect(() => SecretBox.load({ secretKey: 'c2hvcnQ=', keyFile: '/x' })).toThrow('32 bytes');
  });
});

describe('generateSshKeyPair', () => {
  it('makes an OpenSSH ed25519 public key line and a PEM private key', () => {
    const pair = generateSshKeyPair('session ses_1');
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/=]+ session ses_1$/);
    expect(pair.privateKey).toContain('BEGIN PRIVATE KEY');
  });
});
