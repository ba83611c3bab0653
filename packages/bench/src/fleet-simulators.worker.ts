// The fleet's provider simulators, in a worker thread: a provider's CPU is not the server's, so a
// benchmark of the server's event loop must not carry the simulators' work (rendering thousands of
// instances, page after page). The main thread sends the instances to create; the worker answers
// with the simulators' URLs, then with how many instances it made.
import { parentPort } from 'node:worker_threads';
import { ManualClock } from '@gpu-shopper/domain';
import { startSimulators } from '@gpu-shopper/simulators';
import { createFleetInstances, FLEET_KEYS, type FleetInstance } from './fleet-instances';

const port = parentPort;
if (port === null) throw new Error('fleet-simulators.worker.ts runs as a worker thread');
const sims = await startSimulators({ clock: new ManualClock(new Date()), vastApiKey: FLEET_KEYS.vastai, tensordockApiToken: FLEET_KEYS.tensordock, bootDelayMs: 0, nodePublicIp: '127.0.0.1' });
port.on('message', (message: { seed?: FleetInstance[]; close?: true }) => {
  void (async () => {
    if (message.seed !== undefined) port.postMessage({ seeded: await createFleetInstances(sims, message.seed) });
    if (message.close) {
      await sims.close();
      port.close();
    }
  })();
});
port.postMessage({ vastUrl: sims.vastUrl, tensordockUrl: sims.tensordockUrl });
