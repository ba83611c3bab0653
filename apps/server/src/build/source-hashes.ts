// A build plugin (tsup.config.ts): beside each vendor bundle it writes, the file's hash, which the
// compile cache keys the bundle's entry on (see builtFileKey in compile-cache.ts) instead of hashing
// its megabytes of source at every start.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Options } from 'tsup';
import { SOURCE_HASH_SUFFIX, sourceHashOf } from '../compile-cache';

type TsupPlugin = NonNullable<Options['plugins']>[number];

/** Writes `<file>.sha1` beside each written file whose path `filter` matches, once the build wrote it. */
export function writeSourceHashes(filter: RegExp): TsupPlugin {
  return {
    name: 'source-hashes',
    buildEnd({ writtenFiles }) {
      for (const { name } of writtenFiles) {
        if (!filter.test(name)) continue;
        // tsup names files relative to the working directory.
        const file = resolve(name);
        writeFileSync(`${file}${SOURCE_HASH_SUFFIX}`, `${sourceHashOf(readFileSync(file))}\n`);
      }
    },
  };
}
