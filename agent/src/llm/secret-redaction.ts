// Keeps credentials out of engine output the agent repeats (status, the failure report sent to the
// shopper): an engine may print its environment or a download URL carrying a token.
import { SECRET_ENV_NAMES } from '../config';

/** Names whose values are credentials by convention (HF_TOKEN, WANDB_API_KEY, AWS_SECRET_ACCESS_KEY, ...). */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY/i;
/** Shorter values are too likely to occur in ordinary text ("1", "true") to be replaced. */
const MIN_SECRET_CHARS = 8;

export const REDACTED = '[redacted]';

/** The values of `env` that are credentials: the agent's own and any whose name says so. */
export function secretValuesOf(env: Record<string, string | undefined>): string[] {
  const names = new Set<string>(SECRET_ENV_NAMES);
  const values = Object.entries(env)
    .filter(([name, value]) => value !== undefined && value.length >= MIN_SECRET_CHARS && (names.has(name) || SECRET_NAME.test(name)))
    .map(([, value]) => value!);
  // Longest first, so a secret containing another is replaced whole.
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(REDACTED);
  return result;
}
