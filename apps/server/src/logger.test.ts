import { describe, expect, it } from 'vitest';
import { withLogContext } from '@gpu-shopper/services';
import { componentLogger, consoleLogger, prettyLine, redact, type LogSettings } from './logger';

function captured(settings?: LogSettings, isTTY?: boolean) {
  const lines: string[] = [];
  const logger = consoleLogger({ write: (line) => lines.push(line), isTTY }, settings);
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('logger', () => {
  it('redacts API keys, node tokens, webhook secrets, bearer headers and api_key parameters', () => {
    const text = redact('key gsa_abcdefghijklmnopqrstuvwxyz012345 node gsn_ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123 hook whsec_0123456789abcdefghij Authorization: Bearer secret-token url?api_key=vast123&x=1');
    expect(text).not.toMatch(/abcdefghijklmnop|ABCDEFGHIJKLMNOP|0123456789abcdefghij|secret-token|vast123/);
    expect(text).toContain('Bearer [redacted]');
    expect(text).toContain('api_key=[redacted]');
  });

  it('writes one JSON line per message with level, time, msg and the fields given', () => {
    const { logger, lines, records } = captured();
    logger.warn('consumer key gsc_abcdefghijklmnopqrstuvwxyz012345 rejected', { sessionId: 'ses_1', provider: 'vastai' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    expect(records()[0]).toEqual({ level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: 'consumer key [redacted] rejected', sessionId: 'ses_1', provider: 'vastai' });
  });

  it('adds the log context (request, consumer, session) and a component; the call’s own fields win', () => {
    const { logger, records } = captured();
    const lifecycle = componentLogger(logger, 'lifecycle');
    withLogContext({ reqId: 'req-1', consumer: 'atlas', sessionId: 'ses_outer' }, () => lifecycle.info('step', { sessionId: 'ses_inner' }));
    lifecycle.info('outside');
    expect(records()).toEqual([
      expect.objectContaining({ component: 'lifecycle', reqId: 'req-1', consumer: 'atlas', sessionId: 'ses_inner', msg: 'step' }),
      { level: 'info', time: expect.any(String), component: 'lifecycle', msg: 'outside' },
    ]);
  });

  it('redacts secret fields by name, secret shapes anywhere in the line, and configured values', () => {
    const { logger, lines } = captured();
    logger.redactValues?.(['0123456789abcdef-vast-key', null, 'short']);
    logger.error('provider said: 0123456789abcdef-vast-key is invalid', {
      authorization: 'Bearer abc.def',
      headers: { authorization: 'x', 'x-api-key': 'k' },
      nodeToken: 'anything',
      detail: { webhookSecret: 'anything', note: 'url?api_key=abc123' },
      error: 'echoed gsn_ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123',
      word: 'short',
    });
    const line = lines.join('');
    expect(line).not.toMatch(/vast-key|abc\.def|anything|abc123|ABCDEFGHIJ/);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ authorization: '[redacted]', nodeToken: '[redacted]', headers: { authorization: '[redacted]' }, detail: { webhookSecret: '[redacted]' }, word: 'short' });
  });

  it('honours the level, and takes the configured level and format later unless they were fixed', () => {
    const auto = captured();
    auto.logger.debug?.('hidden at info');
    auto.logger.configure?.({ level: 'debug', format: 'pretty' });
    auto.logger.debug?.('shown at debug', { sessionId: 'ses_1' });
    expect(auto.lines).toEqual([expect.stringMatching(/^\S+Z debug shown at debug {2}sessionId=ses_1\n$/)]);

    const fixed = captured({ level: 'warn', format: 'json' });
    fixed.logger.configure?.({ level: 'trace', format: 'pretty' });
    fixed.logger.info('dropped');
    fixed.logger.warn('kept');
    expect(fixed.records()).toEqual([expect.objectContaining({ level: 'warn', msg: 'kept' })]);
  });

  it('is pretty on a terminal and JSON elsewhere unless told', () => {
    const terminal = captured(undefined, true);
    terminal.logger.info('hello');
    expect(terminal.lines[0]).toMatch(/^\S+Z info {2}hello\n$/);
    const told = captured({ level: 'info', format: 'json' }, true);
    told.logger.info('hello');
    expect(JSON.parse(told.lines[0]!)).toMatchObject({ msg: 'hello' });
  });

  it('formats a line for people: time, level, message, then fields (quoted when they need it)', () => {
    const line = prettyLine('{"level":"warn","time":"2026-03-01T12:00:00.000Z","component":"webhooks","msg":"delivery failed","attempt":1,"error":"HTTP 500 boom","ok":true}\n');
    expect(line).toBe('2026-03-01T12:00:00.000Z warn  delivery failed  component=webhooks attempt=1 error="HTTP 500 boom" ok=true\n');
    expect(prettyLine('not json\n')).toBe('not json\n');
  });
});
