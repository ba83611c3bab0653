// sessionPages: every page in order, the cursor passed back as it came, nothing fetched past the
// last page or after the loop stops.
import { describe, expect, it } from 'vitest';
import type { RouterInputs, RouterOutputs } from './index';
import { sessionPages } from './pagination';

type Page = RouterOutputs['sessions']['list'];
type Input = NonNullable<RouterInputs['sessions']['list']>;

function session(id: string): Page['sessions'][number] {
  const at = '2026-03-01T10:00:00.000Z';
  return { id, consumerId: 'con_a', state: 'ready', workload: 'batch', llmModel: null, offerId: null, provider: null, providerInstanceId: null, gpuModel: null, pricePerHourUsd: null, reservation: { hours: 1, startsAt: at, endsAt: at, hardMaxEndsAt: at }, label: `l:${id}`, endReason: null, failureReason: null, createdAt: at, updatedAt: at, readyAt: null, endedAt: null };
}

function pagedClient(pages: Page[]) {
  const asked: Input[] = [];
  return {
    asked,
    sessions: {
      list: {
        query: async (input: Input): Promise<Page> => {
          asked.push(input);
          const index = input.cursor === undefined ? 0 : Number(input.cursor.slice(1));
          return pages[index]!;
        },
      },
    },
  };
}

describe('sessionPages', () => {
  it('walks every page, passing each nextCursor and the filter back', async () => {
    const client = pagedClient([
      { sessions: [session('a'), session('b')], nextCursor: 'p1' },
      { sessions: [session('c')], nextCursor: 'p2' },
      { sessions: [], nextCursor: null },
    ]);
    const ids: string[] = [];
    for await (const page of sessionPages(client, { all: true, limit: 2 })) ids.push(...page.sessions.map((s) => s.id));
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(client.asked).toEqual([{ all: true, limit: 2 }, { all: true, limit: 2, cursor: 'p1' }, { all: true, limit: 2, cursor: 'p2' }]);
  });

  it('fetches nothing more once the loop stops', async () => {
    const client = pagedClient([
      { sessions: [session('a')], nextCursor: 'p1' },
      { sessions: [session('b')], nextCursor: null },
    ]);
    for await (const page of sessionPages(client)) {
      expect(page.sessions[0]?.id).toBe('a');
      break;
    }
    expect(client.asked).toHaveLength(1);
  });
});
