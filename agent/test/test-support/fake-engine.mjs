// A stand-in LLM engine the agent's tests spawn as its engine command (plain JS: starts in tens of
// ms, no TypeScript loader). Options:
//   --port N                  where to listen (as vLLM's --port)
//   --serve MODEL             the model id /v1/models lists (default: the --model value)
//   --model MODEL             the model it was asked for ({model} in the command)
//   --listen-when-exists PATH listen only once this file exists (an engine still loading)
//   --never-listen            stay up without ever listening (an engine stuck loading)
//   --crash CODE              print a few lines, then exit with CODE (an engine that dies)
//   --crash-attempts K        crash only on the first K starts, then serve (one that recovers)
//   --attempts-file PATH      count starts in this file and print "attempt N" (restarts are visible)
//   --print-env NAME          print NAME's value as it sees it (an engine leaking a credential)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

const args = process.argv.slice(2);
const value = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const flag = (name) => args.includes(name);

const attemptsFile = value('--attempts-file');
let attempt = 1;
if (attemptsFile) {
  attempt = (existsSync(attemptsFile) ? Number(readFileSync(attemptsFile, 'utf8')) : 0) + 1;
  writeFileSync(attemptsFile, String(attempt));
}
console.log(`fake engine: attempt ${attempt}`);
const printEnv = value('--print-env');
if (printEnv) console.error(`fake engine: ${printEnv}=${process.env[printEnv] ?? ''}`);

const crash = value('--crash');
const crashAttempts = value('--crash-attempts');
if (crash !== undefined && (crashAttempts === undefined || attempt <= Number(crashAttempts))) {
  console.error('fake engine: loading weights');
  console.error(`fake engine: CUDA out of memory on attempt ${attempt}`);
  // Let the pipes drain before exiting.
  setTimeout(() => process.exit(Number(crash)), 20);
} else if (flag('--never-listen')) {
  setInterval(() => {}, 60_000);
} else {
  const served = value('--serve') ?? value('--model') ?? 'fake-model';
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: served, object: 'model', owned_by: 'fake-engine' }] }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'not found' } }));
  });
  const listen = () => server.listen(Number(value('--port')), '127.0.0.1', () => console.log(`fake engine: serving ${served}`));
  const gate = value('--listen-when-exists');
  if (gate === undefined) listen();
  else {
    const waiting = setInterval(() => {
      if (!existsSync(gate)) return;
      clearInterval(waiting);
      listen();
    }, 25);
  }
}
process.on('SIGTERM', () => process.exit(0));
