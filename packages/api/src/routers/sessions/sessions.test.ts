import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenApiHttpHandler } from 'trpc-to-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionEntity } from '@gpu-shopper/db';
import { hashNodeToken, transitionSession } from '@gpu-shopper/services';
import { createInnerContext, requestInfoFromHeaders } from '../../context';
import { REST_BASE_PATH } from '../../openapi';
import { appRouter } from '../../root';
import { createHarness, type Harness } from '../../test-support/harness';

describe('sessions router', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  const markReady = async (id: string) => {
    const em = h.orm.em.fork();
    const row = await em.findOneOrFail(SessionEntity, { id });
    transitionSession(em, h.clock, row, 'ready', { reason: 'agent healthy', actor: 'system' });
    await em.flush();
  };

  describe('happy paths', () => {
    it('lists and reads the caller’s own sessions with their history', async () => {
      const id = await h.seedSession('atlas');
      const atlas = h.as(h.keys.atlas!);
      expect((await atlas.sessions.list({})).sessions.map((s) => s.id)).toEqual([id]);
      const detail = await atlas.sessions.get({ id });
      expect(detail).toMatchObject({ id, state: 'provisioning', workload: 'batch', reservation: { hours: 2, startsAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-03-01T12:00:00.000Z', hardMaxEndsAt: '2026-03-01T22:00:00.000Z' } });
      expect(detail.label).toBe(`gpu-shopper:test:${id}`);
      expect(detail.events).toEqual([{ at: '2026-03-01T10:00:00.000Z', from: null, to: 'provisioning', reason: 'requested', actor: 'test' }]);
    });

    it('records "done" as a transition to stopping with who and why, and is idempotent', async () => {
      const id = await h.seedSession('atlas');
      await markReady(id);
      h.clock.advance(60_000);
      const atlas = h.as(h.keys.atlas!);
      const done = await atlas.sessions.done({ id, storage: 'preserve' });
      expect(done.state).toBe('stopping');
      expect(done.endReason).toBe('done');
      expect(done.events.at(-1)).toMatchObject({ from: 'ready', to: 'stopping', reason: 'done (storage: preserve)', actor: 'consumer:atlas' });
      const again = await atlas.sessions.done({ id });
      expect(again.events).toHaveLength(done.events.length);
    });

    it('extends within 12 hours; beyond, files an override that waits for an operator', async () => {
      const id = await h.seedSession('atlas', 4);
      const atlas = h.as(h.keys.atlas!);
      const extended = await atlas.sessions.extend({ id, hours: 3 });
      expect(extended.reservation).toMatchObject({ hours: 7, endsAt: '2026-03-01T17:00:00.000Z' });
      const pending = await atlas.sessions.extend({ id, hours: 6 });
      expect(pending.reservation.hours).toBe(7);
      expect(pending.overrideRequests).toEqual([expect.objectContaining({ status: 'pending', extraHours: 6, requestedEndsAt: '2026-03-01T23:00:00.000Z', requestedBy: 'consumer:atlas' })]);
      await expect(atlas.sessions.extend({ id, hours: 6 })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(atlas.overrides.approve({ id: pending.overrideRequests[0]!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });

      const admin = h.as(h.adminKey);
      expect((await admin.overrides.list({})).overrides.map((o) => o.id)).toEqual([pending.overrideRequests[0]!.id]);
      const approved = await admin.overrides.approve({ id: pending.overrideRequests[0]!.id });
      expect(approved).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^operator:/), decidedAt: '2026-03-01T10:00:00.000Z' });
      expect((await atlas.sessions.get({ id })).reservation).toMatchObject({ hours: 13, endsAt: '2026-03-01T23:00:00.000Z', hardMaxEndsAt: '2026-03-01T23:00:00.000Z' });
      await expect(admin.overrides.deny({ id: approved.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('records a denial without touching the reservation', async () => {
      const id = await h.seedSession('atlas', 12);
      const pending = await h.as(h.keys.atlas!).sessions.extend({ id, hours: 2 });
      const denied = await h.as(h.adminKey).overrides.deny({ id: pending.overrideRequests[0]!.id });
      expect(denied.status).toBe('denied');
      expect((await h.as(h.keys.atlas!).sessions.get({ id })).reservation.hours).toBe(12);
      expect((await h.as(h.adminKey).overrides.list({ status: 'pending' })).overrides).toEqual([]);
    });

    it('lets an operator force any session down, and lists ended ones only with all', async () => {
      const id = await h.seedSession('borealis');
      const admin = h.as(h.adminKey);
      const forced = await admin.sessions.shutdown({ id });
      expect(forced).toMatchObject({ state: 'stopping', endReason: 'forced' });
      expect(forced.events.at(-1)?.actor).toMatch(/^operator:/);
      expect((await admin.sessions.list({ consumer: 'borealis' })).sessions).toHaveLength(1);
      expect((await admin.sessions.list({ state: 'ready' })).sessions).toHaveLength(0);
    });

    it('pages the list newest first with an opaque cursor, ties broken by id, none missed or repeated', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push(await h.seedSession('atlas'));
        if (index % 2 === 1) h.clock.advance(1_000); // pairs share a creation time
      }
      const atlas = h.as(h.keys.atlas!);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await atlas.sessions.list({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        expect(page.sessions.length).toBeLessThanOrEqual(2);
        seen.push(...page.sessions.map((session) => session.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(5);
      expect(new Set(seen)).toEqual(new Set(ids));
      const whole = await atlas.sessions.list({});
      expect(whole.nextCursor).toBeNull();
      expect(whole.sessions.map((session) => session.id)).toEqual(seen);
      const created = whole.sessions.map((session) => session.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    });

    it('hides terminated sessions unless all=true', async () => {
      const id = await h.seedSession('atlas');
      const em = h.orm.em.fork();
      const row = await em.findOneOrFail(SessionEntity, { id });
      transitionSession(em, h.clock, row, 'failed', { reason: 'no offer', actor: 'system', endReason: 'provision_failed', failureReason: 'no offer left' });
      await em.flush();
      const atlas = h.as(h.keys.atlas!);
      expect((await atlas.sessions.list({})).sessions).toHaveLength(0);
      expect((await atlas.sessions.list({ all: true })).sessions[0]).toMatchObject({ state: 'failed', failureReason: 'no offer left', endedAt: '2026-03-01T10:00:00.000Z' });
    });
  });

  describe('errors', () => {
    it('answers "provisioning not available" (503), never a fake session, when no provisioner is configured', async () => {
      const atlas = h.as(h.keys.atlas!);
      await expect(atlas.sessions.create({ gpu: '4090', hours: 2 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('provisioning not available') });
      expect((await atlas.sessions.list({ all: true })).sessions).toHaveLength(0);
    });

    it('validates input and names the field', async () => {
      const atlas = h.as(h.keys.atlas!);
      await expect(atlas.sessions.create({ gpu: '4090', hours: 13 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('hours') });
      await expect(atlas.sessions.create({ hours: 2 })).rejects.toMatchObject({ message: expect.stringContaining('offerId') });
      await expect(atlas.sessions.create({ gpu: 'h100', hours: 2, workload: 'llm' })).rejects.toMatchObject({ message: expect.stringContaining('llmModel') });
    });

    it('names the field when a page size or cursor is not acceptable', async () => {
      const atlas = h.as(h.keys.atlas!);
      await expect(atlas.sessions.list({ limit: 501 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('limit') });
      await expect(atlas.sessions.list({ limit: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('limit') });
      for (const cursor of ['not-a-cursor', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
        await expect(atlas.sessions.list({ cursor })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('cursor') });
      }
    });

    it('refuses impossible transitions', async () => {
      const id = await h.seedSession('atlas');
      const atlas = h.as(h.keys.atlas!);
      await atlas.sessions.shutdown({ id });
      await expect(atlas.sessions.extend({ id, hours: 1 })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    });

    it('answers NOT_FOUND for an unknown session', async () => {
      await expect(h.as(h.adminKey).sessions.get({ id: 'ses_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('auth', () => {
    it('rejects a missing or bad key with UNAUTHORIZED', async () => {
      await expect(h.as(null).sessions.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(h.as('gsc_not-a-real-key').sessions.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('isolates consumers: another consumer’s session is NOT_FOUND for reads and writes', async () => {
      const id = await h.seedSession('atlas');
      const borealis = h.as(h.keys.borealis!);
      await expect(borealis.sessions.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(borealis.sessions.done({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(borealis.sessions.shutdown({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await borealis.sessions.list({ all: true })).sessions).toEqual([]);
      expect((await h.as(h.adminKey).sessions.get({ id })).id).toBe(id);
    });

    it('needs a consumer key to create a session', async () => {
      await expect(h.as(h.adminKey).sessions.create({ gpu: '4090', hours: 1 })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    });
  });

  describe('heartbeat over REST', () => {
    const NODE_TOKEN = 'gsn_test-node-token-0123456789';
    let server: Server;
    let baseUrl: string;
    let reported: { sessionId: string; reason: string }[];
    beforeEach(async () => {
      reported = [];
      // The lifecycle's hook, as the server wires it: here it only records what it was asked.
      h.deps.heartbeats = { failProvisioning: async (sessionId, reason) => (reported.push({ sessionId, reason }), true) };
      // The standalone adapter hands createContext fetch Headers (Fastify, as the server runs it, a plain object).
      const headersOf = (headers: unknown) => (headers instanceof Headers ? Object.fromEntries(headers) : (headers as Record<string, string>));
      const rest = createOpenApiHttpHandler({ router: appRouter, createContext: ({ req }) => createInnerContext(h.deps, requestInfoFromHeaders(headersOf(req.headers))) });
      // Mounted under the REST base path, as the server mounts it.
      server = createServer((req, res) => {
        if (!req.url?.startsWith(`${REST_BASE_PATH}/`)) return void res.writeHead(404).end();
        req.url = req.url.slice(REST_BASE_PATH.length);
        void rest(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${REST_BASE_PATH}`;
    });
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const withNodeToken = async (id: string) => {
      const em = h.orm.em.fork();
      const row = await em.findOneOrFail(SessionEntity, { id });
      row.nodeTokenHash = hashNodeToken(NODE_TOKEN);
      await em.flush();
    };
    const post = (id: string, body: unknown, token = NODE_TOKEN) =>
      fetch(`${baseUrl}/sessions/${id}/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    /** Exactly what the node bootstrap script sends when it cannot start the agent. */
    const bootstrapFailure = {
      status: { ready: false, runningJobs: 0, maxGpuUtilizationPercent: null },
      activity: {},
      idle: { idle: false, idleSince: null, reason: 'bootstrap' },
      final: false,
      failure: { stage: 'bootstrap', reason: 'agent bundle download failed: curl: (6) Could not resolve host' },
    };

    it('accepts the bootstrap script’s minimal failure body, fails the booting attempt and answers shutdown', async () => {
      const id = await h.seedSession('atlas');
      await withNodeToken(id);
      const response = await post(id, bootstrapFailure);
      expect(response.status).toBe(200);
      const reason = 'node reported bootstrap failure: agent bundle download failed: curl: (6) Could not resolve host';
      expect(await response.json()).toEqual({ reservationEndsAt: '2026-03-01T12:00:00.000Z', shutdown: true, shutdownReason: reason });
      expect(reported).toEqual([{ sessionId: id, reason }]);
      // With the fields a shell adds as it can (its own session id, a second-precision time with an offset).
      const withExtras = await post(id, { ...bootstrapFailure, sessionId: id, sentAt: '2026-03-01T10:00:05+00:00' });
      expect(withExtras.status).toBe(200);
    });

    it('records an engine failure on a ready session, which sessions.get shows, without ending it', async () => {
      const id = await h.seedSession('atlas');
      await withNodeToken(id);
      await markReady(id);
      const response = await post(id, { ...bootstrapFailure, failure: { stage: 'engine', reason: 'LLM engine exited with code 1 after 3 restarts; given up' } });
      expect(await response.json()).toMatchObject({ shutdown: false });
      expect(reported).toEqual([]);
      expect(await h.as(h.keys.atlas!).sessions.get({ id })).toMatchObject({ state: 'ready', failureReason: 'node reported engine failure: LLM engine exited with code 1 after 3 restarts; given up' });
    });

    it('refuses a bad failure report by field, and a wrong node token', async () => {
      const id = await h.seedSession('atlas');
      await withNodeToken(id);
      const badStage = await post(id, { ...bootstrapFailure, failure: { stage: 'kernel', reason: 'x' } });
      expect(badStage.status).toBe(400);
      expect(await badStage.json()).toMatchObject({ data: { field: 'failure.stage' } });
      const tooLong = await post(id, { ...bootstrapFailure, failure: { stage: 'engine', reason: 'x'.repeat(2001) } });
      expect(tooLong.status).toBe(400);
      expect(await tooLong.json()).toMatchObject({ data: { field: 'failure.reason' } });
      expect((await post(id, bootstrapFailure, 'gsn_wrong-token-0123456789')).status).toBe(401);
      expect(reported).toEqual([]);
    });
  });
});
