// What `npm run sim` keeps in its state dir beside the simulators' own files: the seed, the API keys a
// server was given and the ports it was pointed at, so a restarted simulator keeps serving that server.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StateFile } from '../shared/state-file';

export interface SimCliState {
  seed: number;
  vastApiKey: string;
  tensordockApiToken: string;
  vastPort: number;
  tensordockPort: number;
}

function pathOf(stateDir: string): string {
  return join(stateDir, 'sim.json');
}

export function readCliState(stateDir: string | null): Partial<SimCliState> {
  if (stateDir === null) return {};
  return (StateFile.read(pathOf(stateDir)) ?? {}) as Partial<SimCliState>;
}

export function writeCliState(stateDir: string | null, state: SimCliState): void {
  if (stateDir !== null) new StateFile(pathOf(stateDir), () => state).flush();
}

/** A key no one guesses; the prefix says which simulator it opens. */
export function generateKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}
