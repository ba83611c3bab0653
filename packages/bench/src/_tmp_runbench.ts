import { runNormalizeBench } from '/work/main/packages/bench/src/normalize.bench.ts';
for (let i = 0; i < 3; i++) console.log(JSON.stringify(await runNormalizeBench()));
