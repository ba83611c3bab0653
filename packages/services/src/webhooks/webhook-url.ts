// Which URLs we will POST webhooks to. The rule itself lives with budgets (they carry their own
// webhook URLs); this adapts it for the dispatcher, which records problems instead of throwing.
import { assertWebhookUrl } from '../budgets/budget-service';

export { assertWebhookUrl };

/** Why a URL is refused, or null when it is acceptable. */
export function webhookUrlProblem(url: string): string | null {
  try {
    assertWebhookUrl(url);
    return null;
  } catch (error) {
    return error instanceof Error ? `invalid webhook URL: ${error.message}` : 'invalid webhook URL';
  }
}
