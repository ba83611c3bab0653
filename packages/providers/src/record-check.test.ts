import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileRecordCheck } from './record-check';
import { VastBundleSchema, VastBundlesEnvelopeSchema } from './vastai/offer-parser';
import { TdHostnodeSchema, TdHostnodesEnvelopeSchema } from './tensordock/offer-builder';

const vastRecord = { id: 7, gpu_name: 'RTX 4090', num_gpus: 2, gpu_ram: 24_564, cpu_cores: 32, cpu_cores_effective: 16, cpu_ram: 128_000, disk_space: 500, dph_base: 0.7, storage_cost: 0.1, geolocation: 'Texas, US', reliability: 0.99, reliability2: null, duration: 3600, end_date: null, verification: 'verified', verified: true, extra: { anything: [1] } };
const tdRecord = {
  id: 'host-1',
  location_id: null,
  uptime_percentage: 99.5,
  available_resources: { gpus: [{ v0Name: 'geforcertx4090-pcie-24gb', availableCount: 4, price_per_hr: 0.5 }], vcpu_count: 64, ram_gb: 256, storage_gb: 2000, max_vcpus_per_gpu: 8, available_ports: [20000, 20001] },
  pricing: { per_vcpu_hr: 0.01, per_gb_ram_hr: 0.004, per_gb_storage_hr: 0.0001 },
  location: { city: 'Sydney', stateprovince: null, country: 'Australia', tier: 3 },
};

/** Every field of `record` (nested too) replaced in turn by values of the wrong kind or out of range. */
function mutations(record: unknown): unknown[] {
  const replacements = [undefined, null, -1, 0, 1.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, '', 'text', true, [], [1, 'x'], {}];
  const variants: unknown[] = [];
  const visit = (value: unknown, rebuild: (replacement: unknown) => unknown) => {
    for (const replacement of replacements) variants.push(rebuild(replacement));
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, (replacement) => rebuild(value.map((other, at) => (at === index ? replacement : other)))));
    else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], (replacement) => rebuild({ ...value, [key]: replacement }));
    }
  };
  visit(record, (replacement) => replacement);
  return variants;
}

describe('compiled record checks', () => {
  it('accept exactly what the provider schemas accept, for every field made wrong in every way', () => {
    for (const [schema, record] of [
      [VastBundleSchema, vastRecord],
      [TdHostnodeSchema, tdRecord],
      // The envelopes, which the parsers use as they are when the check passes.
      [VastBundlesEnvelopeSchema, { offers: [vastRecord, null, 'x'], extra: 1 }],
      [TdHostnodesEnvelopeSchema, { data: { hostnodes: [tdRecord, 1], extra: 1 }, extra: 2 }],
    ] as const) {
      const check = compileRecordCheck(schema);
      expect(check).not.toBeNull();
      const variants = mutations(record);
      expect(variants.length).toBeGreaterThan(100);
      for (const variant of [record, ...variants]) expect(check!(variant), JSON.stringify(variant)).toBe(schema.safeParse(variant).success);
    }
  });

  it('reads keys that are not identifiers as they are (the predicate is generated source)', () => {
    const key = 'odd "key"\n}; return true; //';
    const schema = z.object({ [key]: z.number(), 'with space': z.string().optional() });
    const check = compileRecordCheck(schema)!;
    expect(check({ [key]: 1 })).toBe(true);
    for (const record of [{ [key]: 1 }, { [key]: 'x' }, {}, { [key]: 1, 'with space': 2 }, { [key]: 1, 'with space': 'yes' }]) {
      expect(check(record), JSON.stringify(record)).toBe(schema.safeParse(record).success);
    }
  });

  it('leaves to zod what it does not know', () => {
    expect(compileRecordCheck(z.object({ at: z.iso.datetime() }))).toBeNull();
    expect(compileRecordCheck(z.object({ mail: z.email() }))).toBeNull();
    expect(compileRecordCheck(z.object({ text: z.string().regex(/^a/) }))).toBeNull();
    // z.int() is a number format of its own: still an integer check.
    expect([1, 1.5].map(compileRecordCheck(z.int())!)).toEqual([true, false]);
    expect(compileRecordCheck(z.object({ n: z.coerce.number() }))).toBeNull();
    expect(compileRecordCheck(z.strictObject({ n: z.number() }))).toBeNull();
    expect(compileRecordCheck(z.object({ n: z.number().refine((value) => value > 1) }))).toBeNull();
    expect(compileRecordCheck(z.object({ n: z.number().default(1) }))).toBeNull();
  });

  it('checks a list of anything without visiting its elements, holes included', () => {
    const check = compileRecordCheck(z.object({ list: z.array(z.unknown()) }))!;
    for (const record of [{ list: [] }, { list: [undefined, null, 1] }, { list: new Array(3) }, { list: {} }, { list: 'abc' }, {}]) {
      expect(check(record), JSON.stringify(record)).toBe(z.object({ list: z.array(z.unknown()) }).safeParse(record).success);
    }
  });
});
