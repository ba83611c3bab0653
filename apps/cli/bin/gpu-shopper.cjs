#!/usr/bin/env node
// The installed gpu-shopper command, on the build of `npm run build -w @gpu-shopper/cli` (`npm start`
// builds it too). CommonJS, as is dist/command-list.cjs, which prints the command list (no arguments,
// help, -h, --help: the most common start) from the build's text, because an ES module's start alone
// costs more than all the rest: an empty .mjs took about 1.2x `node -e 0`, the list this way about
// 1.1x. Anything else loads the CLI bundle, dist/main.js (an ES module). Without a build it says how
// to make one instead of a stack trace.
'use strict';
// The lint config is for ES modules; this file is CommonJS on purpose (see above).
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Node 22.1 and later keep V8's compiled code of the build on disk between runs; older ones lack it.
require('node:module').enableCompileCache?.();

const dist = join(__dirname, '..', 'dist');
const commandList = join(dist, 'command-list.cjs');
const bundle = join(dist, 'main.js');
// A build from before dist/command-list.cjs existed counts as none: it lacks what this file loads.
if (!existsSync(commandList) || !existsSync(bundle)) {
  process.stderr.write('gpu-shopper: the CLI is not built yet; run "npm run build" (or "npm start") in the repository first\n');
  process.exit(1);
}

// Only stdout is touched on the way to the list: the first read of process.stdin or process.stderr
// opens that stream, and a pipe's needs the `net` module, which costs the list a good part of its start.
if (!require(commandList).writeBuiltCommandList(process.argv.slice(2), process.env, process.stdout)) {
  import(require('node:url').pathToFileURL(bundle).href);
}
