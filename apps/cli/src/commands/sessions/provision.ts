// `gpu-shopper provision`: POST /sessions with an idempotency key (generated unless given), and
// with --wait a live progress display until the node is ready or provisioning fails.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Command, Option, UsageError } from '../../clipanion';
import { SessionNotReadyError, type SessionDetail, type ShopperClient } from '@gpu-shopper/sdk';
import { ShopperCommand } from '../../base-command';
import { PROVIDERS, WORKLOADS } from '../../api-enums';
import { CommandFailure } from '../../errors';
import { formatSessionDetail } from '../../format/sessions';
import { isCount, isNumber, isOneOf } from '../../options';
import { waitForReady } from '@gpu-shopper/sdk';

const DEFAULT_POLL_MS = 2_000;
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/;

export class ProvisionCommand extends ShopperCommand {
  static override paths = [['provision'], ['sessions', 'create']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'provision a GPU session',
    details: `
      Give an offer id from \`gpu-shopper inventory\`, or requirements (\`--gpu\`, \`--max-price\`...) for the
      server to pick the cheapest match. The session is billed to the consumer the API key belongs to.
      Every call sends an idempotency key (printed; a random one unless \`--idempotency-key\`): retrying with
      the same key returns the same session instead of provisioning a second one.
      \`--wait\` shows the state until the node is ready, then how to get its credentials.
    `,
    examples: [
      ['An RTX 4090 for two hours, and wait for it', '$0 provision --gpu=4090 --hours=2 --wait'],
      ['A given offer, serving a model', '$0 provision --offer=vastai:123 --hours=4 --workload=llm --llm-model=meta-llama/Llama-3.1-8B-Instruct'],
      ['With your SSH key, safe to retry', '$0 provision --gpu=A100 --min-vram=80 --hours=1 --ssh-key-file ~/.ssh/id_ed25519.pub --idempotency-key=job-42'],
    ],
  });

  gpu = Option.String('--gpu', { description: 'GPU model, matched loosely ("4090")' });
  hours = Option.String('--hours', { required: true, validator: isCount(), description: 'reservation length, 1-12 hours' });
  offer = Option.String('--offer', { description: 'an offer id from "gpu-shopper inventory"' });
  workload = Option.String('--workload', { validator: isOneOf(WORKLOADS), description: `${WORKLOADS.join(', ')} (default batch)` });
  llmModel = Option.String('--llm-model', { description: 'for --workload=llm: the model to serve' });
  maxPrice = Option.String('--max-price', { validator: isNumber(), description: 'highest all-in price, USD per hour' });
  minVram = Option.String('--min-vram', { validator: isNumber(), description: 'least VRAM per GPU, GB' });
  region = Option.String('--region', { description: 'country code or part of a region name' });
  provider = Option.String('--provider', { validator: isOneOf(PROVIDERS), description: `only this provider (${PROVIDERS.join(', ')})` });
  sshKeyFile = Option.String('--ssh-key-file', { description: 'your SSH public key (.pub) to install on the node' });
  idempotencyKey = Option.String('--idempotency-key', { description: 'retry-safe request key (default: a random one)' });
  consumer = Option.String('--consumer', { description: 'must be the API key’s own consumer (a check only)' });
  wait = Option.Boolean('--wait', false, { description: 'wait until the node is ready, showing progress' });
  timeout = Option.String('--timeout', { validator: isCount(), description: 'with --wait: give up after this many minutes (default 20)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<number | void> {
    if (this.offer === undefined && this.gpu === undefined) throw new UsageError('give --offer <id> or --gpu <model>');
    if (this.workload === 'llm' && this.llmModel === undefined) throw new UsageError('--workload=llm needs --llm-model <name>');
    if (this.idempotencyKey !== undefined && (this.idempotencyKey.trim() === '' || this.idempotencyKey.length > 128)) throw new UsageError('--idempotency-key must be 1-128 characters');
    const sshPublicKey = this.sshKeyFile === undefined ? undefined : await readPublicKey(this.sshKeyFile);
    const idempotencyKey = this.idempotencyKey ?? randomUUID();
    const client = await this.client({ headers: { 'idempotency-key': idempotencyKey } });
    if (this.consumer !== undefined) await this.checkConsumer(client, this.consumer);

    const session = await client.sessions.create.mutate({
      offerId: this.offer,
      gpu: this.gpu,
      minVramGb: this.minVram,
      maxPricePerHourUsd: this.maxPrice,
      region: this.region,
      provider: this.provider,
      hours: this.hours,
      workload: this.workload,
      llmModel: this.llmModel,
      sshPublicKey,
    });
    if (!this.wait) {
      if (this.json) return this.printJson(session);
      this.print(
        [
          `Session ${session.id} is ${session.state}${session.gpuModel === null ? '' : ` (${session.gpuModel} on ${session.provider ?? '?'})`}.`,
          `Idempotency key: ${idempotencyKey} (retry with --idempotency-key=${idempotencyKey} to get this session again)`,
          `Follow it with "gpu-shopper session ${session.id}", or provision with --wait.`,
        ].join('\n'),
      );
      return;
    }
    if (!this.json) this.note(`Session ${session.id} requested (idempotency key ${idempotencyKey}); waiting for it to be ready...`);
    return this.waitUntilReady(client, session.id);
  }

  private async checkConsumer(client: ShopperClient, consumer: string): Promise<void> {
    const me = await this.whoami(client);
    if (me.role !== 'consumer') throw new UsageError(`--consumer=${consumer}: this is an operator key; sessions are provisioned with the consumer's own key`);
    if (me.consumerName !== consumer) throw new UsageError(`--consumer=${consumer} does not match the API key, which belongs to consumer "${me.consumerName ?? '?'}"`);
  }

  private async waitUntilReady(client: ShopperClient, id: string): Promise<number | void> {
    const progress = new ProgressLine(this.isTTY('stderr'), (text) => this.context.stderr.write(text));
    let ready: SessionDetail;
    try {
      ready = await waitForReady(client, id, {
        pollIntervalMs: this.context.pollIntervalMs ?? DEFAULT_POLL_MS,
        timeoutMs: (this.timeout ?? 20) * 60_000,
        onProgress: (session, elapsedMs) => progress.update(session, elapsedMs),
      });
    } catch (error) {
      progress.end();
      if (!(error instanceof SessionNotReadyError)) throw error;
      throw new CommandFailure(notReadyMessage(id, error));
    }
    progress.end();
    if (this.json) return this.printJson(ready);
    this.print(`${formatSessionDetail(ready, this.now())}\n\nReady. Credentials (node token, SSH): gpu-shopper session ${id}`);
  }
}

/** Why waiting stopped, in the user's terms: the failure reason, or that it is still coming up. */
function notReadyMessage(id: string, error: SessionNotReadyError): string {
  const session = error.session;
  if (session === null) return error.message;
  if (session.state === 'provisioning') return `${error.message}; it is still provisioning (see "gpu-shopper session ${id}")`;
  const reason = session.failureReason ?? session.endReason ?? 'no reason given';
  return `session ${id} did not become ready: ${session.state} (${reason})`;
}

/** One line rewritten in place on a terminal; elsewhere a line per state change (logs stay short). */
class ProgressLine {
  private attempt = 0;
  private lastState: string | null = null;
  private width = 0;

  constructor(
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
  ) {}

  update(session: SessionDetail, elapsedMs: number): void {
    this.attempt += 1;
    const text = `${session.id}: ${session.state}, ${Math.round(elapsedMs / 1000)}s elapsed, attempt ${this.attempt}`;
    if (this.tty) {
      this.write(`\r${text.padEnd(this.width)}`);
      this.width = text.length;
    } else if (session.state !== this.lastState) {
      this.write(`${text}\n`);
    }
    this.lastState = session.state;
  }

  end(): void {
    if (this.tty && this.width > 0) this.write('\n');
    this.width = 0;
  }
}

async function readPublicKey(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--ssh-key-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.includes('PRIVATE KEY')) throw new UsageError(`--ssh-key-file: ${file} is a private key; give the public one (${file}.pub)`);
  const line = text.trim();
  if (!SSH_PUBLIC_KEY.test(line)) throw new UsageError(`--ssh-key-file: ${file} is not an OpenSSH public key line (ssh-ed25519 AAAA...)`);
  return line;
}
