// POST /node/v1/ml/command: one endpoint for ML job control (start, stop, signal, stdin, status, logs).
// A flat object rather than a union, because trpc-to-openapi needs an object input; the refinement
// names the field a command is missing.
import { z } from 'zod';
import { protectedProcedure } from '../trpc';
import { resolveWorkspacePath } from '../files/workspace-path';
import { JOB_SIGNALS } from './job-manager';

export const ML_COMMANDS = ['start', 'stop', 'signal', 'stdin', 'status', 'logs'] as const;

const jobStatusSchema = z.object({
  jobId: z.string(),
  argv: z.array(z.string()),
  cwd: z.string(),
  pid: z.number().int().nullable(),
  state: z.enum(['running', 'exited', 'failed']),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  exitCode: z.number().int().nullable(),
  exitSignal: z.string().nullable(),
  error: z.string().nullable(),
});

const logLineSchema = z.object({ seq: z.number().int(), stream: z.enum(['stdout', 'stderr']), text: z.string(), at: z.iso.datetime() });

const needs: Record<(typeof ML_COMMANDS)[number], string[]> = {
  start: ['argv'],
  stop: ['jobId'],
  signal: ['jobId', 'signal'],
  stdin: ['jobId', 'line'],
  status: [],
  logs: ['jobId'],
};

export const mlCommandInput = z
  .object({
    command: z.enum(ML_COMMANDS),
    jobId: z.string().min(1).optional(),
    argv: z.array(z.string()).min(1).optional().describe('start: program and arguments (no shell)'),
    env: z.record(z.string(), z.string()).optional().describe('start: extra environment variables'),
    cwd: z.string().optional().describe('start: working directory relative to the workspace root'),
    signal: z.enum(JOB_SIGNALS).optional().describe('signal: e.g. SIGUSR1 to request a checkpoint'),
    line: z.string().max(65_536).optional().describe('stdin: one line written to the job (newline added)'),
    graceSeconds: z.number().min(0).max(3600).optional().describe('stop: SIGKILL after this many seconds (default 10)'),
    tailLines: z.number().int().min(1).max(5000).optional().describe('logs: lines from the end (default 200)'),
  })
  .superRefine((input, context) => {
    for (const field of needs[input.command]) {
      if (input[field as keyof typeof input] === undefined) {
        context.addIssue({ code: 'custom', path: [field], message: `is required for command "${input.command}"` });
      }
    }
  });

export const mlCommandOutput = z.object({
  command: z.enum(ML_COMMANDS),
  job: jobStatusSchema.optional(),
  jobs: z.array(jobStatusSchema).optional(),
  lines: z.array(logLineSchema).optional(),
});

export const mlCommand = protectedProcedure
  .meta({ openapi: { method: 'POST', path: '/ml/command', tags: ['ml'], summary: 'Control ML training jobs', protect: true } })
  .input(mlCommandInput)
  .output(mlCommandOutput)
  .mutation(async ({ input, ctx }) => {
    const { jobs, config } = ctx.runtime;
    switch (input.command) {
      case 'start': {
        const cwd = await resolveWorkspacePath(config.workspaceRoot, input.cwd ?? '');
        return { command: input.command, job: jobs.start({ argv: input.argv ?? [], cwd, ...(input.env ? { env: input.env } : {}) }) };
      }
      case 'stop':
        return { command: input.command, job: await jobs.stop(input.jobId ?? '', (input.graceSeconds ?? 10) * 1000) };
      case 'signal':
        return { command: input.command, job: jobs.signal(input.jobId ?? '', input.signal ?? 'SIGTERM') };
      case 'stdin':
        return { command: input.command, job: jobs.writeStdin(input.jobId ?? '', input.line ?? '') };
      case 'status':
        return input.jobId ? { command: input.command, job: jobs.status(input.jobId) } : { command: input.command, jobs: jobs.list() };
      case 'logs':
        return { command: input.command, job: jobs.status(input.jobId ?? ''), lines: jobs.logs(input.jobId ?? '', input.tailLines ?? 200) };
    }
  });
