import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, DEFAULT_LLM_COMMAND } from './config';

const base = { GPU_SHOPPER_SESSION_ID: 'sess_1', GPU_SHOPPER_NODE_TOKEN: 'a-very-long-session-token' };

describe('configuration from environment variables', () => {
  it('applies defaults', () => {
    const config = configFromEnv(base);
    expect(config).toMatchObject({ port: 8080, workspaceRoot: '/workspace', workload: 'batch', shopperUrl: null, reservationEndsAt: null, vast: null });
    expect(config.heartbeat.intervalMs).toBe(15_000);
    expect(config.idle.batch.idleAfterMs).toBe(10 * 60_000);
    expect(config.llm.command).toBeNull();
    expect(config.llm).toMatchObject({ maxRestarts: 3, readyTimeoutMs: null });
  });

  it('reads every kind of variable', () => {
    const config = configFromEnv({
      ...base,
      GPU_SHOPPER_URL: 'https://shopper.example/',
      GPU_SHOPPER_RESERVATION_END: '2030-01-01T12:00:00Z',
      GPU_SHOPPER_WORKLOAD: 'llm',
      GPU_SHOPPER_LLM_MODEL: 'Qwen/Qwen2.5-0.5B-Instruct',
      AGENT_PORT: '9000',
      AGENT_HEARTBEAT_INTERVAL_S: '5',
      AGENT_IDLE_LLM_MIN: '45',
      AGENT_DEADMAN_UNREACHABLE_MIN: '60',
      AGENT_LLM_MAX_RESTARTS: '0',
      AGENT_LLM_READY_TIMEOUT_MIN: '20',
      CONTAINER_ID: '12345',
      CONTAINER_API_KEY: 'instance-key',
    });
    expect(config.port).toBe(9000);
    expect(config.reservationEndsAt?.toISOString()).toBe('2030-01-01T12:00:00.000Z');
    expect(config.llm.command).toBe(DEFAULT_LLM_COMMAND);
    expect(config.heartbeat.intervalMs).toBe(5000);
    expect(config.idle.llm.idleAfterMs).toBe(45 * 60_000);
    expect(config.deadMan.unreachableAfterMs).toBe(60 * 60_000);
    expect(config.llm).toMatchObject({ maxRestarts: 0, readyTimeoutMs: 20 * 60_000 });
    expect(config.vast).toEqual({ containerId: '12345', containerApiKey: 'instance-key', apiUrl: 'https://console.vast.ai' });
  });

  it('treats an empty engine command as an engine run by someone else', () => {
    expect(configFromEnv({ ...base, GPU_SHOPPER_WORKLOAD: 'llm', AGENT_LLM_COMMAND: '' }).llm.command).toBeNull();
  });

  it('names every bad variable', () => {
    try {
      configFromEnv({ GPU_SHOPPER_NODE_TOKEN: 'short', AGENT_PORT: 'eighty', GPU_SHOPPER_WORKLOAD: 'mining', AGENT_WORKSPACE: 'relative', AGENT_LLM_MAX_RESTARTS: '-1', AGENT_LLM_READY_TIMEOUT_MIN: 'soon' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ['GPU_SHOPPER_SESSION_ID', 'GPU_SHOPPER_NODE_TOKEN', 'AGENT_PORT', 'GPU_SHOPPER_WORKLOAD', 'AGENT_WORKSPACE', 'AGENT_LLM_MAX_RESTARTS', 'AGENT_LLM_READY_TIMEOUT_MIN']) expect(message).toContain(name);
      expect(message).not.toContain('short');
    }
  });

  it('requires a model for the default LLM engine', () => {
    expect(() => configFromEnv({ ...base, GPU_SHOPPER_WORKLOAD: 'llm' })).toThrow(/GPU_SHOPPER_LLM_MODEL/);
  });
});
