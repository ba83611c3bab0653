#!/usr/bin/env node
// The installed gpu-shopper command: the bundle built by `npm run build -w @gpu-shopper/cli`.
import '../dist/main.js';
