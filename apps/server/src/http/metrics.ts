// GET /metrics: Prometheus text for operators (it names consumers and their spend, so it takes an
// operator key: configure the scraper with `authorization: Bearer <admin key>`).
import type { FastifyInstance } from 'fastify';
import { requestInfoFromHeaders, type ApiDeps } from '@gpu-shopper/api';
import { ApiKeyService, formatPrometheus, PROMETHEUS_CONTENT_TYPE, renderMetrics } from '@gpu-shopper/services';
import { skippedRecordMetrics } from '@gpu-shopper/providers';

export function registerMetrics(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/metrics', async (request, reply) => {
    const em = deps.orm.em.fork();
    const caller = await new ApiKeyService(em, deps.clock, deps.callerCache).authenticate(requestInfoFromHeaders(request.headers).apiKey).catch(() => null);
    if (caller === null) return reply.code(401).send({ message: 'an operator API key is required', code: 'UNAUTHORIZED' });
    if (caller.role !== 'admin') return reply.code(403).send({ message: 'metrics are for operators', code: 'FORBIDDEN' });
    // Plus the provider records our parsers skipped as malformed (drift in a provider's answers).
    const page = (await renderMetrics(em, deps.providerMetrics ?? null, deps.clock.now())) + formatPrometheus(skippedRecordMetrics.families());
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(page);
  });
}
