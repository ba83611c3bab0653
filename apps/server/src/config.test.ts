import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config';
import { DEFAULT_RATE_LIMITS } from './http/rate-limit';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', dbPath: './data/gpu-shopper.db', dataDir: './data', adminKeyFile: './data/admin-key', secretKeyFile: './data/master-key', tickIntervalMs: 15_000, sweepIntervalMs: 60_000 });
    expect(config.lifecycle).toEqual({ idleActions: {}, expiredGraceMs: 900_000, heartbeatLossMs: 300_000, readyDeadlineMs: { vastai: 900_000, tensordock: 600_000 } });
  });

  it('reads the lifecycle policy and the data directory from the environment', () => {
    const config = loadConfig({ GPU_SHOPPER_DB: '/var/lib/gs/db.sqlite', GPU_SHOPPER_IDLE_ACTIONS: 'llm=alert, batch=shutdown', GPU_SHOPPER_EXPIRED_GRACE_MINUTES: '30' });
    expect(config.dataDir).toBe('/var/lib/gs');
    expect(config.lifecycle.idleActions).toEqual({ llm: 'alert', batch: 'shutdown' });
    expect(config.lifecycle.expiredGraceMs).toBe(1_800_000);
  });

  it('reads the shutdown grace (default 10 s; 0 waits for nothing)', () => {
    expect(loadConfig({}).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS: '2.5' }).shutdownGraceMs).toBe(2_500);
    expect(loadConfig({ GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS: '0' }).shutdownGraceMs).toBe(0);
    expect(() => loadConfig({ GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS: '-1' })).toThrow(/GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS/);
  });

  it('reads the rate limits (on by default, generous; off turns them off) and the trusted proxies', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ GPU_SHOPPER_RATE_LIMIT: 'off' }).rateLimits).toBeNull();
    const custom = loadConfig({ GPU_SHOPPER_RATE_LIMIT_KEY_PER_MINUTE: '120', GPU_SHOPPER_RATE_LIMIT_KEY_BURST: '20', GPU_SHOPPER_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2.5', GPU_SHOPPER_TRUST_PROXY: '10.0.0.0/8, loopback,fd00::1' });
    expect(custom.rateLimits).toEqual({ ...DEFAULT_RATE_LIMITS, perApiKey: { perMinute: 120, burst: 20 }, authFailuresPerAddress: { perMinute: 2.5, burst: 10 } });
    expect(custom.trustProxy).toEqual(['10.0.0.0/8', 'loopback', 'fd00::1']);
    expect(() => loadConfig({ GPU_SHOPPER_RATE_LIMIT_ADDRESS_BURST: '0' })).toThrow(/GPU_SHOPPER_RATE_LIMIT_ADDRESS_BURST/);
    expect(() => loadConfig({ GPU_SHOPPER_RATE_LIMIT_KEY_PER_MINUTE: '-1' })).toThrow(/GPU_SHOPPER_RATE_LIMIT_KEY_PER_MINUTE/);
    expect(() => loadConfig({ GPU_SHOPPER_RATE_LIMIT: 'yes' })).toThrow(/GPU_SHOPPER_RATE_LIMIT/);
    // Hop counts and "trust everyone" would let any client pick its own address.
    for (const trust of ['1', 'true', '10.0.0.0/33', 'proxy.internal']) expect(() => loadConfig({ GPU_SHOPPER_TRUST_PROXY: trust }), trust).toThrow(/GPU_SHOPPER_TRUST_PROXY/);
  });

  it('reads the log level (default info) and format (default: by terminal), naming the allowed values when wrong', () => {
    expect(loadConfig({}).log).toEqual({ level: 'info', format: null });
    expect(loadConfig({ GPU_SHOPPER_LOG_LEVEL: 'debug', GPU_SHOPPER_LOG_FORMAT: 'pretty' }).log).toEqual({ level: 'debug', format: 'pretty' });
    expect(() => loadConfig({ GPU_SHOPPER_LOG_LEVEL: 'verbose' })).toThrow('invalid configuration: GPU_SHOPPER_LOG_LEVEL: one of trace, debug, info, warn, error, fatal');
    expect(() => loadConfig({ GPU_SHOPPER_LOG_FORMAT: 'text' })).toThrow('invalid configuration: GPU_SHOPPER_LOG_FORMAT: one of json, pretty');
  });

  it('treats an empty or blank variable as unset (compose `${VAR:-}`, an empty `VAR=` line)', () => {
    const empty = Object.fromEntries(CONFIG_VARIABLES.map((name, index) => [name, index % 2 === 0 ? '' : '  ']));
    expect(loadConfig(empty)).toEqual(loadConfig({}));
    const config = loadConfig({ ...empty, VASTAI_API_KEY: 'vast-key', GPU_SHOPPER_DB: '/srv/gs/db.sqlite' });
    expect(config.vastai.apiKey).toBe('vast-key');
    expect(config.dataDir).toBe('/srv/gs');
    // Still checked when set: empty means unset, not "anything goes".
    expect(() => loadConfig({ ...empty, GPU_SHOPPER_PUBLIC_URL: 'not a url' })).toThrow(/GPU_SHOPPER_PUBLIC_URL/);
    // The PostgreSQL mode's required settings are not satisfied by empty strings.
    expect(() => loadConfig({ GPU_SHOPPER_DATABASE_URL: 'postgres://u:p@db/gs', GPU_SHOPPER_SECRET_KEY: '', GPU_SHOPPER_DEPLOYMENT_ID: 'prod', GPU_SHOPPER_ADMIN_KEY: 'admin-key-0123456789' })).toThrow(/set GPU_SHOPPER_SECRET_KEY/);
  });

  it('reads the node image per workload: pinned defaults, an override each, empty as unset, a bad one named', () => {
    expect(loadConfig({}).nodeImages).toEqual({ llm: 'vllm/vllm-openai:v0.10.2', training: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', batch: 'nvidia/cuda:12.4.1-runtime-ubuntu22.04' });
    const config = loadConfig({ GPU_SHOPPER_IMAGE_LLM: 'registry.example.com/gpu-shopper-agent:llm-1.0.0', GPU_SHOPPER_IMAGE_TRAINING: '', GPU_SHOPPER_IMAGE_BATCH: ' ghcr.io/acme/agent:batch-1 ' });
    expect(config.nodeImages).toEqual({ llm: 'registry.example.com/gpu-shopper-agent:llm-1.0.0', training: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', batch: 'ghcr.io/acme/agent:batch-1' });
    for (const bad of ['vllm/vLLM-openai:v1', 'vllm/vllm-openai:v1 --privileged', 'vllm/vllm-openai:']) {
      expect(() => loadConfig({ GPU_SHOPPER_IMAGE_TRAINING: bad }), bad).toThrow(/GPU_SHOPPER_IMAGE_TRAINING: must be a docker image reference/);
    }
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', GPU_SHOPPER_IDLE_ACTIONS: 'llm=nap', GPU_SHOPPER_PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', GPU_SHOPPER_IDLE_ACTIONS: 'llm=nap' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT: .*GPU_SHOPPER_IDLE_ACTIONS: /);
    }
  });
});
