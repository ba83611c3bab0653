// Reading the user's answer to a y/N question from the context's stdin, one line at a time.
import type { Readable } from 'node:stream';

/** The first line of `input` (without its newline), or everything read if it ends first. */
export function readLine(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (value: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline !== -1) finish(text.slice(0, newline).replace(/\r$/, ''));
    };
    const onEnd = () => finish(text);
    const onError = (error: Error) => {
      input.off('data', onData);
      input.off('end', onEnd);
      reject(error);
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** "y" or "yes", any case; everything else (an empty line included) is no. */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}
