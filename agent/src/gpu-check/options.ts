// Command-line options of `npm run gpu-check`; a mistake is a UsageError with a message naming the option.
import { parseArgs } from 'node:util';

export interface GpuCheckOptions {
  /** Also write the report as JSON to this file. */
  jsonPath: string | null;
  /** Leave the temporary workspace (agent log, uploaded file, load program) in place and say where. */
  keepWorkspace: boolean;
  skipLlm: boolean;
  /** How long the GPU load of the idle check runs. */
  loadSeconds: number;
  help: boolean;
}

export const DEFAULT_LOAD_SECONDS = 20;
const MAX_LOAD_SECONDS = 600;

export const USAGE = `Usage: npm run gpu-check -- [options]

Checks the node agent against the real NVIDIA GPU of this machine: status, idle detection under a
GPU load, a 1 GiB file round trip and, where vLLM and a local model exist, a streamed LLM chat.
Without a GPU it says so and exits 0.

Options:
  --json <file>        also write the report as JSON to <file>
  --keep-workspace     keep the temporary workspace (agent log, files) and print its path
  --skip-llm           do not run the LLM chat check
  --load-seconds <n>   seconds of GPU load for the idle check (default ${DEFAULT_LOAD_SECONDS}, at most ${MAX_LOAD_SECONDS})
  -h, --help           show this help

Environment:
  GPU_CHECK_MODEL      local model path or Hugging Face model id already in the local cache (never downloaded)
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseGpuCheckArgs(argv: string[]): GpuCheckOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'string' },
        'keep-workspace': { type: 'boolean', default: false },
        'skip-llm': { type: 'boolean', default: false },
        'load-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.json !== undefined && values.json.trim() === '') throw new UsageError('--json needs a file path');
  let loadSeconds = DEFAULT_LOAD_SECONDS;
  if (values['load-seconds'] !== undefined) {
    const text = values['load-seconds'].trim();
    loadSeconds = Number(text);
    if (text === '' || !Number.isFinite(loadSeconds) || loadSeconds <= 0 || loadSeconds > MAX_LOAD_SECONDS) {
      throw new UsageError(`--load-seconds must be a number of seconds above 0 and at most ${MAX_LOAD_SECONDS}, got "${values['load-seconds']}"`);
    }
  }
  return {
    jsonPath: values.json ?? null,
    keepWorkspace: values['keep-workspace'] ?? false,
    skipLlm: values['skip-llm'] ?? false,
    loadSeconds,
    help: values.help ?? false,
  };
}
