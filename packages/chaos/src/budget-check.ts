// The budget overshoot check, before the chaos phase: one consumer gets a blocking budget sized so
// that K sessions at the cheapest offer of one GPU model fit, then many provisions for it are fired
// at once, spread over every replica. However the replicas interleave, the sessions the budget held
// at any one moment must never have projected more than the limit (price per hour x reserved hours
// each); the check reads the sessions back from the server and finds the moment they projected the
// most. With K below the number of replicas, the first provision each replica takes, all at once,
// already overshoots unless the replicas serialize the check between them.
import { randomUUID } from 'node:crypto';
import type { Session } from '@gpu-shopper/domain';
import { ApiError, isTransient, NoAnswerError, type ShopperApi } from './shopper-api';
import { sleep } from './sleep';

export const BUDGET_CONSUMER = 'chaos-budget';
const HOURS = 1;
const MICROS_PER_USD = 1_000_000;
const SEARCH_GPU = '4090';
/** Ending a session can meet a concurrent write (409) or a dead replica: a few tries, then the settle phase. */
const DONE_ATTEMPTS = 4;

export interface BudgetCheckOptions {
  api: ShopperApi;
  adminKey: string;
  provider: 'vastai' | 'tensordock';
  /** Provisions fired at once. */
  provisions: number;
  /** How many of them the budget is sized to hold. */
  fits: number;
  log: (line: string) => void;
}

export interface BudgetFigures {
  consumerId: string | null;
  /** The cheapest matching offer when the budget was set: the price it is sized with. */
  offerId: string | null;
  pricePerHourUsd: number | null;
  hours: number;
  limitUsd: number | null;
  fits: number;
  fired: number;
  /** Creates answered with a session. */
  accepted: number;
  /** Creates refused with 402 (the budget said no). */
  refusedByBudget: number;
  /** Other refusals, by reason (first few). */
  otherRefusals: string[];
  otherRefused: number;
  unanswered: number;
  /** The consumer's sessions as the server has them (answered or not). */
  sessionsAtServer: number;
  /** The most the budget held at one moment: projected cost of the sessions live then. */
  peakProjectedUsd: number;
  peakSessions: number;
  /** Peak beyond the limit, in dollars (the goal is 0). */
  overshootUsd: number;
  /** Sessions held at the peak beyond the ones that fit (the goal is 0). */
  overCount: number;
  /** Sessions ended by the check afterwards. */
  ended: number;
  /** Why the check could not be measured (no offer, no session accepted...); null when it was. */
  problem: string | null;
}

export interface CommittedSession {
  createdAtMs: number;
  /** Null while it holds its reservation (the budget counts it). */
  endedAtMs: number | null;
  projectedUsd: number;
}

/**
 * The moment the sessions projected the most: at each creation, the sessions created by then and
 * not yet ended. Spend a session accrued before it ended is not added (it ran seconds at most here),
 * which can only make the figure lower by that much.
 */
export function peakCommitment(sessions: readonly CommittedSession[], limitUsd: number): { peakProjectedUsd: number; peakSessions: number; overshootUsd: number; overCount: number } {
  let peak: CommittedSession[] = [];
  let peakUsd = 0;
  for (const moment of sessions.map((session) => session.createdAtMs)) {
    const held = sessions.filter((session) => session.createdAtMs <= moment && (session.endedAtMs === null || session.endedAtMs > moment));
    const usd = held.reduce((sum, session) => sum + session.projectedUsd, 0);
    if (usd > peakUsd) {
      peakUsd = usd;
      peak = held;
    }
  }
  // How many of the peak's sessions fit at best (the cheapest first).
  let fit = 0;
  let running = 0;
  for (const usd of peak.map((session) => session.projectedUsd).sort((a, b) => a - b)) {
    if (running + usd > limitUsd + 1e-9) break;
    running += usd;
    fit += 1;
  }
  return { peakProjectedUsd: peakUsd, peakSessions: peak.length, overshootUsd: Math.max(0, peakUsd - limitUsd), overCount: peak.length - fit };
}

/** Never throws: a check that could not run says why in `problem` (and misses its goal). */
export async function runBudgetCheck(options: BudgetCheckOptions): Promise<BudgetFigures> {
  const figures = emptyFigures(options);
  try {
    return await measure(options, figures);
  } catch (error) {
    options.log(`budget check failed: ${(error as Error).message}`);
    return { ...figures, problem: `the check could not run: ${(error as Error).message}` };
  }
}

function emptyFigures(options: BudgetCheckOptions): BudgetFigures {
  return {
    consumerId: null,
    offerId: null,
    pricePerHourUsd: null,
    hours: HOURS,
    limitUsd: null,
    fits: options.fits,
    fired: 0,
    accepted: 0,
    refusedByBudget: 0,
    otherRefusals: [],
    otherRefused: 0,
    unanswered: 0,
    sessionsAtServer: 0,
    peakProjectedUsd: 0,
    peakSessions: 0,
    overshootUsd: 0,
    overCount: 0,
    ended: 0,
    problem: null,
  };
}

async function measure(options: BudgetCheckOptions, figures: BudgetFigures): Promise<BudgetFigures> {
  const { api, adminKey, log } = options;
  const key = await api.createConsumerKey(adminKey, BUDGET_CONSUMER);
  figures.consumerId = (await api.whoami(key)).consumerId;

  // Requirements rather than one offer id: every create is projected at the cheapest matching offer
  // (the one priced here, while nothing rents), and none is turned away because another create
  // rented the offer first (an offer id that left the menu is refused before the budget is asked).
  const offers = (await api.searchOffers(key, { gpu: SEARCH_GPU, provider: options.provider, limit: 1 })).filter((offer) => !offer.stale && offer.pricePerHourUsd > 0);
  if (offers.length === 0) return { ...figures, problem: `no ${SEARCH_GPU} offer on ${options.provider} to price the budget with` };
  const offer = offers[0]!;
  const projectedMicros = Math.round(offer.pricePerHourUsd * HOURS * MICROS_PER_USD);
  // K sessions and half of another: one more can never fit, rounding cannot decide it.
  const limitMicros = options.fits * projectedMicros + Math.floor(projectedMicros / 2);
  figures.offerId = offer.id;
  figures.pricePerHourUsd = offer.pricePerHourUsd;
  figures.limitUsd = limitMicros / MICROS_PER_USD;
  await api.createBudget(adminKey, { consumer: BUDGET_CONSUMER, limitUsd: figures.limitUsd, period: 'total', action: 'block' });
  log(`budget check: $${figures.limitUsd.toFixed(4)} block budget for ${BUDGET_CONSUMER} (${options.fits} x the cheapest ${SEARCH_GPU}, ${offer.id} at $${offer.pricePerHourUsd.toFixed(4)}/h, for ${HOURS} h, and half of another); firing ${options.provisions} provisions at once`);

  // Every replica authenticates the key and reads the menu once before the burst: otherwise each
  // one's first creates wait on a cold key cache and menu, which staggers the replicas by seconds
  // and hides a check that is not serialized between them.
  for (const url of api.baseUrls) {
    const replica = api.only(url);
    await replica.whoami(key);
    await replica.searchOffers(key, { gpu: SEARCH_GPU, provider: options.provider, limit: 1 });
  }

  const answeredPrice = new Map<string, number>();
  const otherReasons = new Set<string>();
  figures.fired = options.provisions;
  await Promise.all(
    [...Array(options.provisions).keys()].map(async (index) => {
      try {
        const session = await api.createSession(key, { gpu: SEARCH_GPU, provider: options.provider, hours: HOURS, workload: 'batch' }, `chaos-budget-${index}-${randomUUID()}`);
        figures.accepted += 1;
        answeredPrice.set(session.id, session.pricePerHourUsd ?? offer.pricePerHourUsd);
      } catch (error) {
        if (error instanceof ApiError && error.status === 402) figures.refusedByBudget += 1;
        else if (error instanceof ApiError) {
          figures.otherRefused += 1;
          otherReasons.add(error.message);
        } else if (error instanceof NoAnswerError) figures.unanswered += 1;
        else throw error;
      }
    }),
  );
  figures.otherRefusals = [...otherReasons].slice(0, 5);

  // The server's own record: sessions whose answer was lost count too.
  const sessions = (await api.listSessions(adminKey, { all: true })).filter((session) => session.consumerId === figures.consumerId);
  figures.sessionsAtServer = sessions.length;
  const committed = sessions.map((session): CommittedSession => ({
    createdAtMs: Date.parse(session.createdAt),
    endedAtMs: session.endedAt === null ? null : Date.parse(session.endedAt),
    projectedUsd: (answeredPrice.get(session.id) ?? session.pricePerHourUsd ?? offer.pricePerHourUsd) * session.reservation.hours,
  }));
  Object.assign(figures, peakCommitment(committed, figures.limitUsd));
  if (sessions.length === 0) figures.problem = 'no provision was accepted: the budget held nothing to measure';
  log(`budget check: ${figures.accepted} accepted, ${figures.refusedByBudget} refused by the budget, ${figures.otherRefused} refused otherwise, ${figures.unanswered} unanswered; peak $${figures.peakProjectedUsd.toFixed(4)} of $${figures.limitUsd.toFixed(4)}`);
  figures.ended = await endAll(api, key, sessions, log);
  return figures;
}

async function endAll(api: ShopperApi, key: string, sessions: readonly Session[], log: (line: string) => void): Promise<number> {
  let ended = 0;
  for (const session of sessions) {
    if (session.endedAt !== null) continue;
    for (let attempt = 1; attempt <= DONE_ATTEMPTS; attempt++) {
      try {
        await api.done(key, session.id);
        ended += 1;
        break;
      } catch (error) {
        const retry = isTransient(error) || (error instanceof ApiError && error.status === 409);
        // The settle phase ends whatever is left.
        if (!retry || attempt === DONE_ATTEMPTS) log(`budget check: done ${session.id}: ${(error as Error).message}`);
        if (!retry) break;
        await sleep(300 * attempt);
      }
    }
  }
  return ended;
}
