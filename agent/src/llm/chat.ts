// POST /node/v1/llm/chat: a typed, non-streaming chat call to the hosted LLM
// (streaming clients use the OpenAI-compatible pass-through instead).
import { z } from 'zod';
import { UpstreamError } from '../errors';
import { protectedProcedure } from '../trpc';
import { fetchEngine } from './upstream';

export const chatInput = z.object({
  messages: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(1_000_000) }))
    .min(1)
    .max(1000),
  model: z.string().min(1).optional().describe('Defaults to the node model'),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
});

export const chatOutput = z.object({
  model: z.string(),
  content: z.string(),
  finishReason: z.string().nullable(),
  usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() }).nullable(),
});

const upstreamAnswer = z.object({
  model: z.string(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }), finish_reason: z.string().nullable() })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).nullish(),
});

export const chat = protectedProcedure
  .meta({ openapi: { method: 'POST', path: '/llm/chat', tags: ['llm'], summary: 'Chat with the hosted LLM (non-streaming)', protect: true } })
  .input(chatInput)
  .output(chatOutput)
  .mutation(async ({ input, ctx }) => {
    const { runtime } = ctx;
    const done = runtime.activity.begin('llmRequests');
    try {
      const model = input.model ?? runtime.config.llm.model;
      const response = await fetchEngine(runtime, '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(model ? { model } : {}),
          messages: input.messages,
          ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
          ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
          stream: false,
        }),
      });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
        throw new UpstreamError(`LLM engine refused the request: ${message}`, response.status);
      }
      const parsed = upstreamAnswer.safeParse(body);
      if (!parsed.success) throw new UpstreamError('LLM engine answered in an unexpected format', 502);
      const choice = parsed.data.choices[0];
      const usage = parsed.data.usage;
      return {
        model: parsed.data.model,
        content: choice?.message.content ?? '',
        finishReason: choice?.finish_reason ?? null,
        usage: usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } : null,
      };
    } finally {
      done();
    }
  });
