// The error boundary and the shutdown signals, driven through a stand-in process (an EventEmitter),
// so nothing here touches the real process's handlers.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { consoleLogger } from './logger';
import { describeThrown, installErrorBoundary, installShutdownSignals } from './process-guards';

function capturedLogger() {
  let text = '';
  return { logger: consoleLogger({ write: (chunk: string) => (text += chunk) }, { level: 'info', format: 'pretty' }), text: () => text };
}

describe('error boundary', () => {
  it('logs an unhandled rejection without its secrets and keeps the process up', () => {
    const proc = new EventEmitter();
    const exit = vi.fn();
    const { logger, text } = capturedLogger();
    const uninstall = installErrorBoundary(logger, proc, exit);
    proc.emit('unhandledRejection', new Error('provider refused Bearer gsa_abcdefghijklmnopqrstuvwxyz012345'), Promise.resolve());
    proc.emit('unhandledRejection', { apiKey: 'gsa_not-printed-because-objects-are-not' }, Promise.resolve());
    expect(exit).not.toHaveBeenCalled();
    expect(text()).toMatch(/error unhandled promise rejection \(the server keeps serving\): Error: provider refused Bearer \[redacted\]/);
    expect(text()).toContain('a non-Error object');
    expect(text()).not.toContain('gsa_');
    uninstall();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });

  it('logs an uncaught exception and exits with 1', () => {
    const proc = new EventEmitter();
    const exit = vi.fn();
    const { logger, text } = capturedLogger();
    installErrorBoundary(logger, proc, exit);
    proc.emit('uncaughtException', new TypeError('cannot read properties of undefined'), 'uncaughtException');
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect(text()).toMatch(/error uncaught exception; exiting .*TypeError: cannot read properties of undefined/);
  });

  it('describes thrown values: stacks for errors, strings as they are, other things by type only', () => {
    expect(describeThrown(new Error('boom'))).toMatch(/^Error: boom\n\s+at /);
    expect(describeThrown('plain')).toBe('plain');
    expect(describeThrown(null)).toBe('a non-Error null');
    expect(describeThrown(7)).toBe('a non-Error number');
  });
});

describe('shutdown signals', () => {
  it('closes gracefully on the first SIGTERM and exits 0 once closed; logs each step', async () => {
    const proc = new EventEmitter();
    const exit = vi.fn();
    const { logger, text } = capturedLogger();
    let finish!: () => void;
    const close = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    installShutdownSignals(close, logger, proc, exit);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(close).toHaveBeenCalledOnce();
    expect(exit).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledExactlyOnceWith(0));
    expect(text()).toMatch(/info {2}SIGTERM: shutting down gracefully[\s\S]*info {2}shutdown complete/);
  });

  it('exits at once on a second signal (130 for SIGINT), without a second close', () => {
    const proc = new EventEmitter();
    const exit = vi.fn();
    const { logger, text } = capturedLogger();
    const close = vi.fn(() => new Promise<void>(() => {}));
    installShutdownSignals(close, logger, proc, exit);
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('SIGINT', 'SIGINT');
    expect(close).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledExactlyOnceWith(130);
    expect(text()).toContain('SIGINT again: exiting at once');
  });

  it('exits 1 when the shutdown could not finish, saying why', async () => {
    const proc = new EventEmitter();
    const exit = vi.fn();
    const { logger, text } = capturedLogger();
    const uninstall = installShutdownSignals(() => Promise.reject(new Error('shutdown grace (10 s) spent with work still running: job lifecycle')), logger, proc, exit);
    proc.emit('SIGINT', 'SIGINT');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledExactlyOnceWith(1));
    expect(text()).toContain('shutdown incomplete: shutdown grace (10 s) spent with work still running: job lifecycle');
    uninstall();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });
});
