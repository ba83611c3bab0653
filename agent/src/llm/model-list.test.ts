import { describe, expect, it } from 'vitest';
import { judgeModelList, modelIdsOf } from './model-list';

describe('judging /v1/models', () => {
  it('reads the ids of an OpenAI model list (vLLM’s shape)', () => {
    expect(modelIdsOf({ object: 'list', data: [{ id: 'Qwen/Qwen2.5-0.5B-Instruct', object: 'model', max_model_len: 32768 }] })).toEqual(['Qwen/Qwen2.5-0.5B-Instruct']);
    expect(modelIdsOf({ object: 'list', data: [] })).toEqual([]);
  });

  it('refuses anything that is not a model list', () => {
    for (const body of [null, 'ok', [], {}, { data: {} }, { data: [{}] }, { data: [{ id: 42 }] }, { data: ['a'] }]) expect(modelIdsOf(body)).toBeNull();
    expect(judgeModelList({ status: 'ok' }, null)).toEqual({ ready: false, servedModels: null, reason: expect.stringMatching(/not a model list/) });
  });

  it('is ready only when the requested model is listed', () => {
    expect(judgeModelList({ data: [{ id: 'a' }, { id: 'b' }] }, 'b')).toEqual({ ready: true, servedModels: ['a', 'b'], reason: null });
    expect(judgeModelList({ data: [{ id: 'a' }] }, 'b')).toEqual({ ready: false, servedModels: ['a'], reason: 'the engine serves a, not the requested model b' });
    expect(judgeModelList({ data: [] }, 'b').reason).toBe('the engine serves no model, not the requested model b');
  });

  it('takes any well-formed list without a requested model', () => {
    expect(judgeModelList({ data: [{ id: 'whatever' }] }, null)).toMatchObject({ ready: true });
    expect(judgeModelList({ data: [] }, null)).toMatchObject({ ready: true });
  });
});
