// A simulator's state on disk: one JSON file, replaced atomically (temp file + rename) so a crash at
// any moment leaves either the old or the new state. Writes are debounced; callers flush at once for
// what must never be lost (a create: its id must never be handed out again).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const DEFAULT_DEBOUNCE_MS = 100;

export class StateFile<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly snapshot: () => T,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {}

  /** The stored state, or null when there is none yet. */
  static read(path: string): unknown {
    if (!existsSync(path)) return null;
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  }

  /** Something changed: written within the debounce window. */
  markDirty(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    // A pending write never keeps the process alive; shutdown flushes explicitly.
    this.timer.unref();
  }

  /** Writes now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.snapshot())}\n`);
    renameSync(temp, this.path);
  }

  /** The last write: the simulator is shutting down (a late event must not resurrect the file). */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
