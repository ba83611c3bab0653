// TensorDock v2 parsers against every recorded v2 fixture.
import { describe, expect, it } from 'vitest';
import { OfferSchema } from '@gpu-shopper/domain';
import { ProviderContractError } from '../errors';
import { readFixture } from '../test-support/fixtures';
import { parseTensorDockInstance, parseTensorDockInstanceList, tensorDockInstanceState } from './instance-parser';
import { parseTensorDockHostnodes } from './offer-builder';
import { bodyError } from './response-errors';

const now = new Date('2026-03-01T00:00:00.000Z');

describe('TensorDock hostnodes -> offers (fixtures)', () => {
  it('builds a priced configuration from the hostnodes fixture: even vCPUs, RAM, storage >= 100 GB', () => {
    const { offers, skippedCount } = parseTensorDockHostnodes(readFixture('tensordock-v2-hostnodes-example.json'), { diskGb: 50, now }, readFixture('tensordock-v2-locations-example.json'));
    expect(skippedCount).toBe(0);
    expect(offers).toHaveLength(1);
    const offer = offers[0]!;
    expect(OfferSchema.parse(offer)).toEqual(offer);
    expect(offer).toMatchObject({
      id: 'tensordock:host-1:teslav100-pcie-16gb:1',
      providerOfferId: 'host-1',
      gpuModel: 'V100',
      providerGpuName: 'teslav100-pcie-16gb',
      gpuCount: 1,
      vramGbPerGpu: 16,
      cpuCores: 8,
      ramGb: 32,
      diskGb: 100,
      region: 'Ashburn, VA',
      country: 'US',
      reliability: 0.999,
      availableForHours: null,
    });
    // 0.70 GPU + 8 x 0.01 vCPU + 32 x 0.002 RAM, plus 100 GB x 0.0001 storage.
    expect(offer.priceBreakdown.computePerHourUsd).toBeCloseTo(0.844, 9);
    expect(offer.priceBreakdown.storagePerHourUsd).toBeCloseTo(0.01, 9);
    expect(offer.pricePerHourUsd).toBeCloseTo(0.854, 9);
  });

  it('takes pricing and place from /locations when a host node carries only a location_id', () => {
    const hostnodes = readFixture<{ data: { hostnodes: Record<string, unknown>[] } }>('tensordock-v2-hostnodes-example.json');
    const host: Record<string, unknown> = { ...hostnodes.data.hostnodes[0]!, location_id: 'loc-uuid-12345', location: undefined, pricing: undefined };
    (host.available_resources as Record<string, unknown>).gpus = [{ v0Name: 'h100-sxm5-80gb', availableCount: 2, price_per_hr: 2.2 }];
    const { offers } = parseTensorDockHostnodes({ data: { hostnodes: [host] } }, { diskGb: 200, now }, readFixture('tensordock-v2-locations-example.json'));
    expect(offers.map((offer) => [offer.gpuModel, offer.gpuCount, offer.region, offer.country])).toEqual([
      ['H100 SXM', 1, 'Austin, Texas', 'US'],
      ['H100 SXM', 2, 'Austin, Texas', 'US'],
    ]);
    expect(offers[1]!.pricePerHourUsd).toBeCloseTo(2 * 2.2 + 16 * 0.003 + 64 * 0.002 + 200 * 0.00005, 9);
  });

  it('offers no host with fewer free ports than a VM needs (SSH and the agent)', () => {
    const hostnodes = readFixture<{ data: { hostnodes: { available_resources: { available_ports: number[] } }[] } }>('tensordock-v2-hostnodes-example.json');
    hostnodes.data.hostnodes[0]!.available_resources.available_ports = [22022];
    expect(parseTensorDockHostnodes(hostnodes, { diskGb: 50, now }).offers).toEqual([]);
    hostnodes.data.hostnodes[0]!.available_resources.available_ports = [22022, 22022];
    expect(parseTensorDockHostnodes(hostnodes, { diskGb: 50, now }).offers).toEqual([]);
    // Distinct as a Set counts them: 0 and -0 are one port.
    hostnodes.data.hostnodes[0]!.available_resources.available_ports = [0, -0, 0];
    expect(parseTensorDockHostnodes(hostnodes, { diskGb: 50, now }).offers).toEqual([]);
    hostnodes.data.hostnodes[0]!.available_resources.available_ports = [22022, 22022, 22022, 22023];
    expect(parseTensorDockHostnodes(hostnodes, { diskGb: 50, now }).offers).toHaveLength(1);
  });

  it('names the place from city and state, leaving out blank parts, and codes the country', () => {
    const hostnodes = readFixture<{ data: { hostnodes: { location: Record<string, unknown> }[] } }>('tensordock-v2-hostnodes-example.json');
    const place = (city: unknown, stateprovince: unknown, country: unknown) => {
      hostnodes.data.hostnodes[0]!.location = { city, stateprovince, country };
      const [offer] = parseTensorDockHostnodes(hostnodes, { diskGb: 50, now }).offers;
      return [offer!.region, offer!.country];
    };
    expect(place(' Ashburn ', ' VA ', ' United States ')).toEqual(['Ashburn, VA', 'US']);
    expect(place('Ashburn', '  ', 'usa')).toEqual(['Ashburn', 'US']);
    expect(place(null, 'Texas', 'US')).toEqual(['Texas', 'US']);
    expect(place('', undefined, 'Ruritania')).toEqual([null, 'Ruritania']);
    // Asked again (remembered now): the same answers.
    expect(place(' Ashburn ', ' VA ', ' United States ')).toEqual(['Ashburn, VA', 'US']);
    expect(place(null, null, '  ')).toEqual([null, null]);
    // A name that is also one of Object's own properties is a name, not a code.
    expect(place('Springfield', null, 'constructor')).toEqual(['Springfield', 'constructor']);
  });

  it('is a contract error when the envelope is wrong, never "no offers"', () => {
    expect(() => parseTensorDockHostnodes({ hostnodes: [] }, { diskGb: 100, now })).toThrow(ProviderContractError);
    expect(() => parseTensorDockHostnodes({ data: { hostnodes: [{ id: 1 }] } }, { diskGb: 100, now })).toThrow(ProviderContractError);
  });
});

describe('TensorDock instance answers (fixtures)', () => {
  it('reads the wrapped get example', () => {
    expect(parseTensorDockInstance(readFixture('tensordock-v2-instance-get-example.json'))).toMatchObject({
      instanceId: 'inst_123',
      label: 'gpu-worker-1',
      state: 'running',
      publicIp: '203.0.113.10',
      pricePerHourUsd: 1.25,
      portMappings: { 22: 22022 },
      sshHost: '203.0.113.10',
      sshPort: 22022,
      gpuModel: 'RTX 4090',
      gpuCount: 1,
    });
  });

  it('reads the flat documented get shape', () => {
    const flat = { type: 'instance', id: 'abc', name: 'n', status: 'StoppedDisassociated', ipAddress: ' 1.2.3.4 ', portForwards: [{ internal_port: 22, external_port: '20001' }] };
    expect(parseTensorDockInstance(flat)).toMatchObject({ instanceId: 'abc', state: 'stopped', publicIp: '1.2.3.4', sshPort: 20001 });
  });

  it('reads both list envelopes', () => {
    const examples = readFixture<Record<string, unknown>>('tensordock-v2-instance-management-examples.json');
    const listed = parseTensorDockInstanceList(examples.list_instances_200);
    expect(listed).toEqual([expect.objectContaining({ instanceId: '550e8400-e29b-41d4-a716-446655440000', label: 'My Instance', state: 'running' })]);
    const variant = { data: { type: 'list', attributes: { instances: [{ type: 'VM', id: 'x', attributes: { name: 'y', status: 'Running' } }] } } };
    expect(parseTensorDockInstanceList(variant)[0]).toMatchObject({ instanceId: 'x', state: 'running' });
    expect(() => parseTensorDockInstanceList({ data: { items: [] } })).toThrow(ProviderContractError);
  });

  it('normalizes status casing', () => {
    expect(['Running', 'running', 'StoppedDisassociated', 'stopped_disassociated', 'Stopped', 'starting', 'stopping', 'queued', 'weird'].map(tensorDockInstanceState)).toEqual([
      'running', 'running', 'stopped', 'stopped', 'stopped', 'provisioning', 'stopping', 'provisioning', 'unknown',
    ]);
  });

  it('finds the error object inside a 2xx body', () => {
    const json = readFixture('tensordock-v2-error-in-body-example.json');
    expect(bodyError({ status: 200, headers: new Headers(), text: JSON.stringify(json), json })).toEqual({ message: 'Hostnode unavailable', status: 400 });
    const created = readFixture('tensordock-v2-create-instance-response.json');
    expect(bodyError({ status: 200, headers: new Headers(), text: '', json: created })).toBeNull();
  });
});
