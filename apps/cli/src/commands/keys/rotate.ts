// `gpu-shopper keys rotate <id>` (operators): a new secret for the same key, shown this once; the
// old secret stops working at once, or after --grace seconds to roll the new one out.
import { Command, Option } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { isCount, isUntil, resolveUntil, valueOption } from '../../options';

export class KeysRotateCommand extends ShopperCommand {
  static override paths = [['keys', 'rotate']];
  static override usage = Command.Usage({
    category: 'API keys (operators)',
    description: 'give an API key a new secret; the old one stops working',
    details: `
      The key keeps its id, role and consumer. The new secret is printed once and never again. The old
      secret is refused at once unless \`--grace\` gives it some seconds more (at most 3600) to roll
      the new one out. \`--expires\` sets a new expiry: a date, an ISO timestamp or a duration (\`90d\`).
    `,
    examples: [
      ['Rotate a key', '$0 keys rotate key_abc123'],
      ['Keep the old secret working 10 more minutes', '$0 keys rotate key_abc123 --grace=600'],
      ['Rotate and expire in 90 days', '$0 keys rotate key_abc123 --expires=90d'],
    ],
  });

  id = Option.String({ name: 'id' });
  grace = valueOption('--grace', { placeholder: 'seconds', validator: isCount({ min: 0 }), description: 'seconds the old secret keeps working (default 0)' });
  expires = valueOption('--expires', { placeholder: 'when', validator: isUntil(), description: 'a new expiry: date, ISO timestamp or duration (90d)' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response' });

  async run(): Promise<void> {
    const client = await this.client();
    const rotated = await client.admin.rotateKey.mutate({ id: this.id, graceSeconds: this.grace, expiresAt: this.expires === undefined ? undefined : resolveUntil(this.expires, this.now()) });
    if (this.json) return this.printJson(rotated);
    const until = rotated.apiKey.previousSecretValidUntil;
    this.print(
      [
        `New secret for key ${rotated.apiKey.id}${rotated.apiKey.consumerName === null ? '' : ` (consumer ${rotated.apiKey.consumerName})`}:`,
        '',
        `  ${rotated.key}`,
        '',
        'Store it now: it is shown only this once.',
        until === null ? 'The old secret no longer works.' : `The old secret works until ${until}.`,
        ...(rotated.apiKey.expiresAt === null ? [] : [`The key expires at ${rotated.apiKey.expiresAt}.`]),
      ].join('\n'),
    );
  }
}
