// Walking a paged list without handling cursors: each page is fetched when the loop asks for it,
// so stopping early fetches nothing more.
import type { RouterInputs, RouterOutputs } from './index';

type SessionListInput = Omit<NonNullable<RouterInputs['sessions']['list']>, 'cursor'>;
type SessionListPage = RouterOutputs['sessions']['list'];

/**
 * The pages of `sessions.list`, newest sessions first, until the last one:
 * `for await (const page of sessionPages(client, { all: true })) for (const session of page.sessions) ...`.
 * A function beside the client, not on it (the tRPC client reads every property as a procedure).
 */
export async function* sessionPages(client: { sessions: { list: { query(input: NonNullable<RouterInputs['sessions']['list']>): Promise<SessionListPage> } } }, input: SessionListInput = {}): AsyncGenerator<SessionListPage, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await client.sessions.list.query({ ...input, ...(cursor === undefined ? {} : { cursor }) });
    yield page;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
