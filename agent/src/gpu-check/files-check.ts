// File round trip: upload a generated file through the agent's file API, download it back, compare
// SHA-256 and report MB/s each way. The data is generated while streaming (random 1 MiB blocks,
// each stamped with its number so a reordered or repeated block changes the hash), so the check
// needs no second copy on disk.
import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CHECK_NAMES } from './plan';
import { failRow, okRow } from './table';
import type { CheckRow } from './table';
import { formatRate, megabytesPerSecond } from './throughput';

const MiB = 1024 * 1024;
export const ROUND_TRIP_BYTES = 1024 * MiB;

/** sizeBytes of stamped random blocks, hashed as they are produced. */
export function generatedContent(sizeBytes: number, hash: Hash): Readable {
  const block = randomBytes(MiB);
  return Readable.from(
    (function* () {
      for (let offset = 0, blockNumber = 0; offset < sizeBytes; offset += MiB, blockNumber += 1) {
        const chunk = Buffer.from(block.subarray(0, Math.min(MiB, sizeBytes - offset)));
        chunk.writeUInt32BE(blockNumber, 0);
        hash.update(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** The agent's error message from its JSON error body, or the first bytes of whatever came back. */
async function errorText(response: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of response) body = (body + String(chunk)).slice(0, 2000);
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200);
}

function upload(url: URL, token: string, sizeBytes: number, hash: Hash): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': sizeBytes } }, (response) => {
      if (response.statusCode === 201) {
        response.resume();
        response.once('end', resolve);
        return;
      }
      void errorText(response).then((text) => reject(new Error(`upload answered ${response.statusCode}: ${text}`)), reject);
    });
    req.once('error', reject);
    pipeline(generatedContent(sizeBytes, hash), req).catch(reject);
  });
}

function download(url: URL, token: string, hash: Hash): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) {
        void errorText(response).then((text) => reject(new Error(`download answered ${response.statusCode}: ${text}`)), reject);
        return;
      }
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      response.once('end', () => resolve(bytes));
      response.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

export interface FileRoundTripOptions {
  agentUrl: string;
  token: string;
  sizeBytes: number;
  /** Workspace path of the uploaded file. */
  remotePath: string;
  now: () => number;
}

export async function runFileRoundTrip(options: FileRoundTripOptions): Promise<CheckRow> {
  const name = CHECK_NAMES.files;
  const base = options.agentUrl.replace(/\/+$/, '');
  const uploadUrl = new URL(`${base}/node/v1/files/upload?path=${encodeURIComponent(options.remotePath)}`);
  const downloadUrl = new URL(`${base}/node/v1/files/download/${options.remotePath.split('/').map(encodeURIComponent).join('/')}`);
  const sentHash = createHash('sha256');
  const receivedHash = createHash('sha256');
  const size = `${formatRate(options.sizeBytes / MiB)} MiB`;

  let startedAt = options.now();
  try {
    await upload(uploadUrl, options.token, options.sizeBytes, sentHash);
  } catch (error) {
    return failRow(name, `${size}: ${(error as Error).message}`);
  }
  const uploadMs = options.now() - startedAt;
  startedAt = options.now();
  let receivedBytes;
  try {
    receivedBytes = await download(downloadUrl, options.token, receivedHash);
  } catch (error) {
    return failRow(name, `${size} uploaded, then: ${(error as Error).message}`);
  }
  const downloadMs = options.now() - startedAt;
  const figure = `up ${formatRate(megabytesPerSecond(options.sizeBytes, uploadMs))} MB/s, down ${formatRate(megabytesPerSecond(receivedBytes, downloadMs))} MB/s`;
  const sent = sentHash.digest('hex');
  const received = receivedHash.digest('hex');
  if (receivedBytes !== options.sizeBytes) return failRow(name, `sent ${options.sizeBytes} bytes, got ${receivedBytes} back`, figure);
  if (sent !== received) return failRow(name, `sha256 differs: sent ${sent.slice(0, 16)}…, got ${received.slice(0, 16)}…`, figure);
  return okRow(name, figure, `${size} up and down, sha256 match (${sent.slice(0, 16)}…)`);
}
