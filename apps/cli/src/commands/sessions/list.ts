// `gpu-shopper sessions`: the caller's live sessions (all of them with --all), newest first, a page
// at a time: --limit sets the page size, --cursor asks for the page after one, --all-pages for all.
import { Command, Option, UsageError } from '../../clipanion';
import type { RouterInputs, RouterOutputs, ShopperClient } from '@gpu-shopper/sdk';
import { ShopperCommand } from '../../base-command';
import { shellWord } from '../../completion';
import { formatSessionList } from '../../format/sessions';
import { isCount, valueOption } from '../../options';
import { loadSdk } from '../../sdk';

type SessionPage = RouterOutputs['sessions']['list'];
type PageQuery = Omit<NonNullable<RouterInputs['sessions']['list']>, 'cursor'>;

export class SessionsListCommand extends ShopperCommand {
  static override paths = [['sessions'], ['sessions', 'list']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'list sessions',
    details: `
      Newest first, one page at a time (the server's page size unless \`--limit\`). When there are more, a
      line on stderr gives the command for the next page; \`--all-pages\` fetches every page instead.
    `,
    examples: [
      ['Live sessions', '$0 sessions'],
      ['Every session, ended ones too, as JSON', '$0 sessions --all --all-pages --json'],
      ['Ten at a time, then the next ten', '$0 sessions --limit=10 && $0 sessions --limit=10 --cursor=<next cursor>'],
    ],
  });

  all = Option.Boolean('--all', false, { description: 'include ended sessions' });
  limit = valueOption('--limit', { placeholder: 'n', validator: isCount(), description: 'sessions per page (the server caps it)' });
  cursor = valueOption('--cursor', { placeholder: 'cursor', description: 'the page after the one that ended with this cursor' });
  allPages = Option.Boolean('--all-pages', false, { description: 'fetch every page, not just one' });
  json = Option.Boolean('--json', false, { description: 'print the raw JSON response (with --all-pages: every session, nextCursor null)' });

  async run(): Promise<void> {
    if (this.allPages && this.cursor !== undefined) throw new UsageError('--all-pages starts at the first page: leave out --cursor');
    const client = await this.client();
    const query: PageQuery = { ...(this.all ? { all: true } : {}), ...(this.limit === undefined ? {} : { limit: this.limit }) };
    const page = this.allPages ? await everyPage(client, query) : await client.sessions.list.query({ ...query, ...(this.cursor === undefined ? {} : { cursor: this.cursor }) });
    if (this.json) return this.printJson(page);
    this.print(formatSessionList(page.sessions, this.now(), this.all, this.tableStyle()));
    if (page.nextCursor !== null) this.note(`More sessions: ${this.nextPageCommand(page.nextCursor)} (or --all-pages for all of them)`);
  }

  /** This command again with the cursor of the next page. */
  private nextPageCommand(cursor: string): string {
    return ['gpu-shopper sessions', ...(this.all ? ['--all'] : []), ...(this.limit === undefined ? [] : [`--limit=${this.limit}`]), `--cursor=${shellWord(cursor)}`].join(' ');
  }
}

/** Every page, followed from the first, as one page with no next. */
async function everyPage(client: ShopperClient, query: PageQuery): Promise<SessionPage> {
  const { sessionPages } = await loadSdk();
  const sessions: SessionPage['sessions'] = [];
  for await (const page of sessionPages(client, query)) sessions.push(...page.sessions);
  return { sessions, nextCursor: null };
}
