// Benchmark: how long the built `gpu-shopper` takes to print its command list (--help), against a
// bare `node -e 0` measured in the same rounds; goal: at most 1.5x. Also a command that loads the
// SDK and fails to connect (a closed port), for what the commands that talk to a server add.
import { buildWorkspace, cleanEnv, machineLoad, median, timeBareNode, timeNode, verdict } from './process-timing';

const ROUNDS = 21;
const GOAL_RATIO = 1.5;
const BIN = 'apps/cli/bin/gpu-shopper.cjs';

export async function runCliStartupBench(): Promise<{ name: string; results: Record<string, number | string> }> {
  buildWorkspace('@gpu-shopper/cli');
  const env = cleanEnv({ NO_COLOR: '1' });
  const loadBefore = machineLoad();
  // One unmeasured round: the files are then in the page cache for every measured one.
  timeBareNode();
  timeNode([BIN, '--help'], { env });
  const bare: number[] = [];
  const help: number[] = [];
  const unreachable: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(timeBareNode());
    help.push(timeNode([BIN, '--help'], { env }));
    unreachable.push(timeNode([BIN, 'sessions', '--server-url=http://127.0.0.1:9', '--api-key=bench'], { env, expectExit: 1 }));
    await Promise.resolve();
  }
  const bareMs = median(bare);
  const helpRatio = median(help) / bareMs;
  return {
    name: `CLI start-up (${ROUNDS} interleaved rounds, medians; wall times of whole processes)`,
    results: {
      'node -e 0 ms (baseline)': Math.round(bareMs),
      'gpu-shopper --help ms': Math.round(median(help)),
      'gpu-shopper --help / node -e 0': `${helpRatio.toFixed(2)}x (goal <= ${GOAL_RATIO}x) ${verdict(helpRatio <= GOAL_RATIO)}`,
      'gpu-shopper sessions, server unreachable ms': Math.round(median(unreachable)),
      'gpu-shopper sessions, server unreachable / node -e 0': `${(median(unreachable) / bareMs).toFixed(2)}x`,
      'load before / after': `${loadBefore}; ${machineLoad()}`,
    },
  };
}
