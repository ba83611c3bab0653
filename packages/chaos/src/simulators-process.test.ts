import { describe, expect, it } from 'vitest';
import { parseAnnouncement, tensordockRateLimitFor } from './simulators-process';

describe('the simulators a chaos run starts', () => {
  it('compress TensorDock’s per-minute limit as much as the run compresses the server’s tick', () => {
    expect(tensordockRateLimitFor(15)).toBe(100); // the real limit at the server's own pace
    expect(tensordockRateLimitFor(60)).toBe(100); // a slower server gets no more than the real limit
    expect(tensordockRateLimitFor(1)).toBe(1500);
    expect(tensordockRateLimitFor(0.5)).toBe(3000);
  });

  it('read the endpoints the simulator CLI announces, and say which is missing', () => {
    const lines = ['VASTAI_API_URL=http://127.0.0.1:1', 'VASTAI_API_KEY=vk', 'TENSORDOCK_API_URL=http://127.0.0.1:2', 'TENSORDOCK_API_TOKEN=tt'];
    expect(parseAnnouncement(lines)).toEqual({ vastai: { url: 'http://127.0.0.1:1', apiKey: 'vk' }, tensordock: { url: 'http://127.0.0.1:2', apiToken: 'tt' } });
    expect(() => parseAnnouncement(lines.slice(0, 3))).toThrow(/TENSORDOCK_API_TOKEN/);
  });
});
