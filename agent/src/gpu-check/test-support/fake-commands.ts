// Test helper: a directory of fake commands (shell scripts replaying recorded output) to put on PATH
// in place of nvidia-smi, nvcc or python3; removed with dispose().
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const STATUS_FIXTURES = path.resolve(import.meta.dirname, '../../status/fixtures');
export const LIST_FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export interface FakeCommands {
  directory: string;
  /** A PATH holding only the fake commands (plus /bin and /usr/bin when asked). */
  path(options?: { withSystem?: boolean }): string;
  /** Writes an executable /bin/sh script named `name`. */
  add(name: string, script: string): string;
  dispose(): void;
}

export function fakeCommands(): FakeCommands {
  const directory = mkdtempSync(path.join(tmpdir(), 'gpu-check-fake-bin-'));
  return {
    directory,
    path: (options = {}) => (options.withSystem ? [directory, '/usr/bin', '/bin'].join(path.delimiter) : directory),
    add: (name, script) => {
      const file = path.join(directory, name);
      writeFileSync(file, `#!/bin/sh\n${script}\n`);
      chmodSync(file, 0o755);
      return file;
    },
    dispose: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** A fake nvidia-smi: `-L` prints the listing fixture, any query prints the CSV fixture (paths as /bin/cat arguments). */
export function fakeNvidiaSmi(commands: FakeCommands, listFixture: string, csvFixture: string): string {
  return commands.add(
    'nvidia-smi',
    `if [ "$1" = "-L" ]; then exec /bin/cat '${path.join(LIST_FIXTURES, listFixture)}'; fi\nexec /bin/cat '${path.join(STATUS_FIXTURES, csvFixture)}'`,
  );
}
