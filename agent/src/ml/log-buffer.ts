// A job's output as a bounded ring of lines, so a chatty training run cannot grow the agent's memory;
// followers are notified of each new line.
import { EventEmitter } from 'node:events';

export interface LogLine {
  seq: number;
  stream: 'stdout' | 'stderr';
  text: string;
  at: string;
}

const MAX_LINE_CHARS = 8192;

export class LogBuffer extends EventEmitter<{ line: [LogLine] }> {
  private readonly lines: LogLine[] = [];
  private nextSeq = 0;
  private readonly partial = { stdout: '', stderr: '' };

  constructor(
    private readonly maxLines: number,
    private readonly now: () => Date,
  ) {
    super();
    this.setMaxListeners(100);
  }

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    // A line with no newline in sight is cut rather than buffered forever.
    if (this.partial[stream].length > MAX_LINE_CHARS) {
      parts.push(this.partial[stream]);
      this.partial[stream] = '';
    }
    for (const part of parts) this.push(stream, part.replace(/\r$/, ''));
  }

  /** Emits whatever is left without a trailing newline (at process exit). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.push(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  tail(count: number): LogLine[] {
    return this.lines.slice(Math.max(0, this.lines.length - count));
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    const line = { seq: this.nextSeq++, stream, text: text.slice(0, MAX_LINE_CHARS), at: this.now().toISOString() };
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    this.emit('line', line);
  }
}
