import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port';
import { ApiError, fractionAnswered, NoAnswerError, ShopperApi } from './shopper-api';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A loopback server answering every request with `status` (or killing the socket for 'drop'); counts what it saw. */
async function replica(status: number | 'drop'): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    if (status === 'drop') return request.socket.destroy();
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { sessions: [] } : { message: `status ${status}`, code: 'X' }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, seen };
}

describe('ShopperApi over replicas', () => {
  it('goes round-robin and moves on past a refused connection and a 503', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const starting = await replica(503);
    const live = await replica(200);
    const api = new ShopperApi([dead, starting.url, live.url]);
    for (let index = 0; index < 3; index++) expect(await api.listSessions('key')).toEqual([]);
    // Each request started one replica further along, and every one ended on the live replica.
    expect(live.seen).toHaveLength(3);
    expect(starting.seen).toHaveLength(2);
    expect(api.stats.snapshot()).toEqual({ attempted: 3, answered: 3, refused: 0, unavailable: 0, cutOff: 0, failedOver: 2 });
  });

  it('counts a request no replica took as unanswered, keeping the single-server errors', async () => {
    const refused = new ShopperApi(`http://127.0.0.1:${await freePort()}`);
    await expect(refused.listSessions('key')).rejects.toBeInstanceOf(NoAnswerError);
    const unavailable = new ShopperApi([(await replica(503)).url, (await replica(502)).url]);
    await expect(unavailable.listSessions('key')).rejects.toBeInstanceOf(ApiError);
    expect(refused.stats.snapshot()).toMatchObject({ attempted: 1, answered: 0, refused: 1 });
    expect(unavailable.stats.snapshot()).toMatchObject({ attempted: 1, answered: 0, unavailable: 1 });
    expect(fractionAnswered(unavailable.stats.snapshot())).toBe(0);
  });

  it('repeats a read elsewhere when a replica dies under it, but never a write', async () => {
    const dying = await replica('drop');
    const live = await replica(200);
    const api = new ShopperApi([dying.url, live.url]);
    expect(await api.listSessions('key')).toEqual([]);
    // The next request starts at the live replica; the one after that at the dying one again.
    await api.listSessions('key');
    await expect(api.done('key', 'ses_1')).rejects.toBeInstanceOf(NoAnswerError);
    expect(live.seen).toEqual(['GET /api/v1/sessions', 'GET /api/v1/sessions']);
    expect(api.stats.snapshot()).toEqual({ attempted: 3, answered: 2, refused: 0, unavailable: 0, cutOff: 1, failedOver: 1 });
  });

  it('hands an error answer back as answered', async () => {
    const api = new ShopperApi([(await replica(409)).url, (await replica(200)).url]);
    await expect(api.done('key', 'ses_1')).rejects.toMatchObject({ status: 409 });
    expect(api.stats.snapshot()).toMatchObject({ attempted: 1, answered: 1 });
  });
});
