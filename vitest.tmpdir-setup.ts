// Every test run gets its own temp directory (TMPDIR, which os.tmpdir() and the processes tests
// start read), removed when the run ends: a test that forgets its scratch directory, or a child
// killed before it could clean up, leaves nothing behind in /tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'GPU_SHOPPER_TEST_RUN_TMPDIR';

export default function setup(): () => void {
  // Each project of the run calls this too (they extend the root config): one directory is enough.
  if (process.env[MARK] !== undefined) return () => {};
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-test-run-'));
  // Searchable by all, as /tmp is: simulated nodes run as an unprivileged user and keep their workspaces here.
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  process.env[MARK] = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    delete process.env[MARK];
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
