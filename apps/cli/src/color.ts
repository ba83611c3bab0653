// Colour for people at a terminal, and only there: none when the stream is piped or redirected,
// none with NO_COLOR set (https://no-color.org) or TERM=dumb. Text comes out the same either way.

export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const PLAIN: Style = { enabled: false, bold: (text) => text, dim: (text) => text, red: (text) => text, green: (text) => text, yellow: (text) => text };
const COLOURED: Style = { enabled: true, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };

export function styleFor(enabled: boolean): Style {
  return enabled ? COLOURED : PLAIN;
}

export const plain: Style = PLAIN;

export interface ColourSettings {
  env: Record<string, string | undefined>;
  /** Whether the stream written to is a terminal. */
  isTTY: boolean;
  /** Colours the terminal shows (1: none); main.ts asks the terminal. */
  colorDepth: number;
}

export function useColour({ env, isTTY, colorDepth }: ColourSettings): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY && colorDepth > 1;
}

/** The parts of a run's context that say whether a stream gets colour (ShopperContext has them). */
export interface StreamColourContext {
  env: Record<string, string | undefined>;
  colorDepth: number;
  stdout: object;
  stderr: object;
  /** Whether each stream is a terminal (default: the stream's own `isTTY`); tests pretend. */
  tty?: { stdout?: boolean; stderr?: boolean };
}

/** Whether what a run writes to `stream` gets colour. */
export function colourFor(context: StreamColourContext, stream: 'stdout' | 'stderr'): boolean {
  const isTTY = context.tty?.[stream] ?? Boolean((context[stream] as { isTTY?: boolean }).isTTY);
  return useColour({ env: context.env, isTTY, colorDepth: context.colorDepth });
}
