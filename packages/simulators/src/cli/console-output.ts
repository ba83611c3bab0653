// `npm run sim` output: the lines other programs parse come first and alone; node output and
// simulator events (prefixed, one line at a time) are held back until those are out.

export class ConsoleOutput {
  private held: string[] | null = [];
  private readonly partial = new Map<string, string>();

  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  /** The announcement; everything held back follows it. */
  announce(lines: string[]): void {
    this.write(lines.map((line) => `${line}\n`).join(''));
    const held = this.held ?? [];
    this.held = null;
    if (held.length > 0) this.write(held.join(''));
  }

  /** One complete line under a prefix ("[sim]"). */
  line(prefix: string, text: string): void {
    this.emit(`${prefix} ${text}\n`);
  }

  /** A chunk of a stream; only whole lines go out, each under the prefix. */
  chunk(prefix: string, text: string): void {
    const lines = ((this.partial.get(prefix) ?? '') + text).split('\n');
    this.partial.set(prefix, lines.pop() ?? '');
    for (const line of lines) this.line(prefix, line);
  }

  private emit(text: string): void {
    if (this.held !== null) this.held.push(text);
    else this.write(text);
  }
}
