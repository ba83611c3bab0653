// `gpu-shopper session <id>`: one session, its reservation, time left, node and history, and for
// its owner the credentials (secrets masked unless asked for; the private key written on request).
import { chmod, writeFile } from 'node:fs/promises';
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { valueOption } from '../../options';
import { sessionCostSoFar } from '../../session-cost';
import { apiErrorCode, CommandFailure } from '../../errors';
import { formatCredentials, formatSessionDetail, type SessionCredentials } from '../../format/sessions';

/** Why the server gives no credentials: not the owner, or no node (yet, or any more). */
const NO_CREDENTIALS = ['FORBIDDEN', 'PRECONDITION_FAILED'];

export class SessionGetCommand extends ShopperCommand {
  static override paths = [['session'], ['sessions', 'get']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'show a session, its history and (for its owner) its credentials',
    details: `
      The owner also sees the node endpoint, the node token (masked unless \`--show-secrets\`) and the SSH
      command. When the shopper generated the SSH key pair, \`--save-key <path>\` writes the private key (0600).
      \`--json\` prints the session as the API sent it; with \`--show-secrets\` it adds \`credentials\`.
    `,
    examples: [
      ['Show a session', '$0 session ses_abc123'],
      ['Save its SSH key and show the token', '$0 session ses_abc123 --save-key ~/.ssh/gpu_ses_abc123 --show-secrets'],
      ['As JSON', '$0 session ses_abc123 --json'],
    ],
  });

  id = Option.String({ name: 'id' });
  showSecrets = Option.Boolean('--show-secrets', false, { description: 'show the node token in full' });
  saveKey = valueOption('--save-key', { placeholder: 'path', description: 'write the generated SSH private key to this file (0600)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const session = await client.sessions.get.query({ id: this.id });
    const credentials = await client.sessions.credentials.query({ id: this.id }).catch(async (error: unknown) => {
      if (NO_CREDENTIALS.includes((await apiErrorCode(error)) ?? '')) return null;
      throw error;
    });
    if (this.saveKey !== undefined) await this.writeKey(credentials, this.saveKey);
    if (this.json) return this.printJson(this.showSecrets && credentials !== null ? { ...session, credentials } : session);
    const text = [formatSessionDetail(session, this.now(), { costSoFarUsd: await sessionCostSoFar(client, session.id) })];
    if (credentials !== null) text.push('', formatCredentials(credentials, { showSecrets: this.showSecrets, savedKeyFile: this.saveKey }));
    this.print(text.join('\n'));
  }

  private async writeKey(credentials: SessionCredentials | null, file: string): Promise<void> {
    if (credentials === null) throw new CommandFailure(`session ${this.id} has no credentials for this key (only its owner gets them, while the node runs)`);
    const key = credentials.ssh.privateKey;
    if (key === null) throw new CommandFailure(`session ${this.id} has no generated private key: it uses the public key you gave`);
    await writeFile(file, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
}
