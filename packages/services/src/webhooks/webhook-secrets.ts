// Which secret signs a delivery: the consumer's own (sealed at rest, created on first need) or, for
// the operators' copies, the configured operator secret. Resolved once per consumer per batch.
import { ConsumerEntity, type Orm } from '@gpu-shopper/db';
import type { SecretBox } from '../secrets/secret-box';
import { generateWebhookSecret } from './webhook-signature';

/** A delivery that cannot be signed now and will not become signable by retrying. */
export class WebhookSecretUnavailableError extends Error {}

export class WebhookSecretResolver {
  private readonly consumerSecrets = new Map<string, Promise<string>>();

  constructor(
    private readonly orm: Orm,
    private readonly secrets: SecretBox,
    private readonly operatorSecret: string | null,
  ) {}

  /** `consumerId` null: the operators' copy. */
  secretFor(consumerId: string | null): Promise<string> {
    if (consumerId === null) {
      if (this.operatorSecret === null) return Promise.reject(new WebhookSecretUnavailableError("the operators' webhook secret is not configured"));
      return Promise.resolve(this.operatorSecret);
    }
    // One promise per consumer, so concurrent deliveries do not each generate a different secret.
    let secret = this.consumerSecrets.get(consumerId);
    if (secret === undefined) {
      secret = this.loadOrCreate(consumerId);
      this.consumerSecrets.set(consumerId, secret);
    }
    return secret;
  }

  private async loadOrCreate(consumerId: string): Promise<string> {
    const consumer = await this.orm.em.fork().findOne(ConsumerEntity, { id: consumerId });
    if (consumer === null) throw new WebhookSecretUnavailableError(`consumer ${consumerId} no longer exists`);
    if (consumer.webhookSecretEncrypted) return this.open(consumer.webhookSecretEncrypted);
    // Only fill an empty column: if the consumer set a webhook meanwhile, its new secret wins.
    await this.orm.em.fork().nativeUpdate(ConsumerEntity, { id: consumerId, webhookSecretEncrypted: null }, { webhookSecretEncrypted: this.secrets.seal(generateWebhookSecret()) });
    const stored = await this.orm.em.fork().findOne(ConsumerEntity, { id: consumerId });
    if (!stored?.webhookSecretEncrypted) throw new WebhookSecretUnavailableError(`consumer ${consumerId} has no webhook secret`);
    return this.open(stored.webhookSecretEncrypted);
  }

  private open(sealed: string): string {
    try {
      return this.secrets.open(sealed);
    } catch {
      throw new WebhookSecretUnavailableError("the consumer's webhook secret cannot be opened (was the master key changed?)");
    }
  }
}
