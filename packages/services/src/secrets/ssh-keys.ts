// Per-session SSH key pairs (ed25519), for consumers who bring no key of their own.
import { generateKeyPairSync } from 'node:crypto';

export interface SshKeyPair {
  /** One OpenSSH line: "ssh-ed25519 AAAA... comment". */
  publicKey: string;
  /** PEM (PKCS#8), which OpenSSH reads. */
  privateKey: string;
}

export function generateSshKeyPair(comment: string): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  return { publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}
