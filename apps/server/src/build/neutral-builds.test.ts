import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { takeBuilds } from './neutral-builds';

describe("the packages' other builds", () => {
  it("bundles ofetch's platform-neutral build: its createFetch, without node-fetch-native", async () => {
    const result = await build({
      stdin: { contents: "export { createFetch } from 'ofetch';", resolveDir: join(import.meta.dirname, '..', '..'), loader: 'ts' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      logLevel: 'silent',
      metafile: true,
      plugins: [takeBuilds()],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toEqual(expect.arrayContaining([expect.stringMatching(/node_modules\/ofetch\/dist\/index\.cjs$/)]));
    expect(inputs.filter((input) => /node-fetch-native|ofetch\/dist\/node\./.test(input))).toEqual([]);
  });
});
