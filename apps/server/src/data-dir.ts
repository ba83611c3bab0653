// The data directory (SQLite database, master key, generated admin key) is the server's alone: 0700,
// so no other user on the machine, simulated nodes running as `nobody` included, can list or read it.
import { chmodSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** Creates the directory 0700 or tightens it to 0700; a warning (not a change) where that is not ours to do. */
export function ensurePrivateDataDir(dataDir: string, cwd = process.cwd()): { warning: string | null } {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if ((stat.mode & 0o077) === 0) return { warning: null };
  const mode = (stat.mode & 0o7777).toString(8);
  const reason = notOursToTighten(dir, stat, resolve(cwd));
  if (reason === null) {
    chmodSync(dir, 0o700);
    return { warning: null };
  }
  return { warning: `the data directory ${dir} is mode ${mode}, not 0700, and is left so because ${reason}: other users can list it (its secret files are 0600); set GPU_SHOPPER_DB to a file in a directory of its own` };
}

/**
 * Never chmod a directory that holds more than our files: a shared one (sticky, like /tmp), one we
 * do not own, or the working directory or one above it (GPU_SHOPPER_DB=./x.db).
 */
function notOursToTighten(dir: string, stat: Stats, cwd: string): string | null {
  if ((stat.mode & 0o1000) !== 0) return 'it is a shared directory (sticky bit)';
  if (stat.uid !== process.getuid?.()) return 'another user owns it';
  const cwdFromDir = relative(dir, cwd);
  if (cwdFromDir === '' || (!cwdFromDir.startsWith('..') && !isAbsolute(cwdFromDir))) return 'it is the working directory or above it';
  return null;
}
