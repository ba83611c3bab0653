// The last few lines a node process wrote: why a node died is nearly always in its final output,
// and that is what a provider shows as the exited container's status message.

const KEEP_CHARS = 8_000;
const MESSAGE_CHARS = 1_000;

export class OutputTail {
  private buffer = '';

  push(text: string): void {
    this.buffer = (this.buffer + text).slice(-KEEP_CHARS);
  }

  /** Up to the last thousand characters, starting at a line boundary where one is near. */
  text(): string {
    const trimmed = this.buffer.trimEnd();
    if (trimmed.length <= MESSAGE_CHARS) return trimmed.trimStart();
    const cut = trimmed.slice(-MESSAGE_CHARS);
    const lineStart = cut.indexOf('\n');
    return (lineStart >= 0 && lineStart < MESSAGE_CHARS / 2 ? cut.slice(lineStart + 1) : cut).trimStart();
  }
}
