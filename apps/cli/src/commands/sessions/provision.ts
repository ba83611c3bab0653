// `gpu-shopper provision`: shows the offer the server would rent and the reservation's projected cost,
// asks on a terminal (--yes skips it; without a terminal it never asks), then POST /sessions with an
// idempotency key (generated unless given), and with --wait the phase it is in until the node is
// ready or provisioning fails.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Command, Option, UsageError } from '../../clipanion';
import type { SessionDetail, SessionNotReadyError, ShopperClient } from '@gpu-shopper/sdk';
import { ShopperCommand } from '../../base-command';
import { PROVIDERS, WORKLOADS } from '../../api-enums';
import { CommandFailure } from '../../errors';
import { formatSessionDetail } from '../../format/sessions';
import { formatPreview, previewOffer, type OfferRequest } from '../../offer-preview';
import { isCount, isNumber, isOneOf, isReservationHours, valueOption } from '../../options';
import { ProgressLine } from '../../progress';
import { isYes, readLine } from '../../prompt';
import { loadSdk } from '../../sdk';

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
      Before renting it shows the offer the server would pick now (the cheapest usable match, or the one given),
      its all-in price and the projected cost of the reservation, and on a terminal asks to go on (y/N);
      \`--yes\` skips the question. Without a terminal (scripts, CI) it never asks: it rents, as \`--yes\` would.
      \`--wait\` shows what the session is doing (creating the instance, booting, waiting for the agent, a
      failover) until the node is ready, then how to get its credentials.
    `,
    examples: [
      ['An RTX 4090 for two hours, and wait for it', '$0 provision --gpu=4090 --hours=2 --wait'],
      ['A given offer, serving a model', '$0 provision --offer=vastai:123 --hours=4 --workload=llm --llm-model=meta-llama/Llama-3.1-8B-Instruct'],
      ['From a script: no question, JSON out', '$0 provision --gpu=4090 --hours=1 --yes --json'],
      ['With your SSH key, safe to retry', '$0 provision --gpu=A100 --min-vram=80 --hours=1 --ssh-key-file ~/.ssh/id_ed25519.pub --idempotency-key=job-42'],
    ],
  });

  gpu = valueOption('--gpu', { placeholder: 'model', description: 'GPU model, matched loosely ("4090")' });
  hours = valueOption('--hours', { placeholder: 'n', required: true, validator: isReservationHours(), description: 'reservation length, 1-12 hours' });
  offer = valueOption('--offer', { placeholder: 'offer-id', description: 'an offer id from "gpu-shopper inventory"' });
  workload = valueOption('--workload', { placeholder: WORKLOADS.join('|'), validator: isOneOf(WORKLOADS), description: `${WORKLOADS.join(', ')} (default batch)` });
  llmModel = valueOption('--llm-model', { placeholder: 'model', description: 'for --workload=llm: the model to serve' });
  maxPrice = valueOption('--max-price', { placeholder: 'usd', validator: isNumber(), description: 'highest all-in price, USD per hour' });
  minVram = valueOption('--min-vram', { placeholder: 'gb', validator: isNumber(), description: 'least VRAM per GPU, GB' });
  region = valueOption('--region', { placeholder: 'region', description: 'country code or part of a region name' });
  provider = valueOption('--provider', { placeholder: PROVIDERS.join('|'), validator: isOneOf(PROVIDERS), description: `only this provider (${PROVIDERS.join(', ')})` });
  sshKeyFile = valueOption('--ssh-key-file', { placeholder: 'path', description: 'your SSH public key (.pub) to install on the node' });
  idempotencyKey = valueOption('--idempotency-key', { placeholder: 'key', description: 'retry-safe request key (default: a random one)' });
  consumer = valueOption('--consumer', { placeholder: 'name', description: 'must be the API key’s own consumer (a check only)' });
  yes = Option.Boolean('--yes', false, { description: 'rent without asking (it never asks without a terminal)' });
  wait = Option.Boolean('--wait', false, { description: 'wait until the node is ready, showing progress' });
  timeout = valueOption('--timeout', { placeholder: 'minutes', validator: isCount(), description: 'with --wait: give up after this many minutes (default 20)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<number | void> {
    if (this.offer === undefined && this.gpu === undefined) throw new UsageError('give --offer <id> or --gpu <model>');
    if (this.workload === 'llm' && this.llmModel === undefined) throw new UsageError('--workload=llm needs --llm-model <name>');
    if (this.idempotencyKey !== undefined && (this.idempotencyKey.trim() === '' || this.idempotencyKey.length > 128)) throw new UsageError('--idempotency-key must be 1-128 characters');
    const sshPublicKey = this.sshKeyFile === undefined ? undefined : await readPublicKey(this.sshKeyFile);
    const idempotencyKey = this.idempotencyKey ?? randomUUID();
    const client = await this.client({ headers: { 'idempotency-key': idempotencyKey } });
    if (this.consumer !== undefined) await this.checkConsumer(client, this.consumer);
    const request: OfferRequest = { offerId: this.offer, gpu: this.gpu, minVramGb: this.minVram, maxPricePerHourUsd: this.maxPrice, region: this.region, provider: this.provider };
    if (!(await this.confirm(client, request))) {
      this.note('Not provisioned.');
      return 1;
    }

    const session = await client.sessions.create.mutate({
      ...request,
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

  /**
   * Shows what would be rented and, on a terminal, asks. Scripts (--json without a terminal) get
   * today's behaviour exactly: no lookup, no question. The preview is advice: if the lookup fails or
   * finds nothing, the server's answer to the request is the one that counts.
   */
  private async confirm(client: ShopperClient, request: OfferRequest): Promise<boolean> {
    const ask = !this.yes && this.isTTY('stdin');
    if (!ask && this.json) return true;
    let preview: string;
    try {
      const offer = await previewOffer(client, request);
      if (offer === null) return true;
      preview = formatPreview(offer, this.hours, request);
    } catch (error) {
      if (!ask) return true;
      preview = `The offer could not be looked up (${error instanceof Error ? error.message : String(error)}).`;
    }
    this.note(preview);
    if (!ask) return true;
    this.context.stderr.write(`${this.style('stderr').bold('Rent it?')} (y/N) `);
    return isYes(await readLine(this.context.stdin));
  }

  private async checkConsumer(client: ShopperClient, consumer: string): Promise<void> {
    const me = await this.whoami(client);
    if (me.role !== 'consumer') throw new UsageError(`--consumer=${consumer}: this is an operator key; sessions are provisioned with the consumer's own key`);
    if (me.consumerName !== consumer) throw new UsageError(`--consumer=${consumer} does not match the API key, which belongs to consumer "${me.consumerName ?? '?'}"`);
  }

  private async waitUntilReady(client: ShopperClient, id: string): Promise<number | void> {
    const { DEFAULT_WAIT_POLL_MS, SessionNotReadyError, waitForReady } = await loadSdk();
    const progress = new ProgressLine(this.isTTY('stderr'), (text) => this.context.stderr.write(text));
    let ready: SessionDetail;
    try {
      ready = await waitForReady(client, id, {
        pollIntervalMs: this.context.pollIntervalMs ?? DEFAULT_WAIT_POLL_MS,
        timeoutMs: (this.timeout ?? 20) * 60_000,
        onProgress: (session, elapsedMs) => progress.update(session, elapsedMs),
      });
    } catch (error) {
      progress.end();
      if (!(error instanceof SessionNotReadyError)) throw error;
      throw new CommandFailure(notReadyMessage(id, error), error.session?.state === 'provisioning' ? 'TIMEOUT' : 'NOT_READY');
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
