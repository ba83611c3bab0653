// What each vendor bundle (src/vendor.ts, src/vendor-later.ts) exports: the packages it holds, each
// loaded on the first call by the require() thunk esbuild bundled it through.

export interface VendorRegistry {
  /** The packages the bundle holds, by the name the server's code imports them with. */
  packages: readonly string[];
  /** A package's exports, as require(name) gives them (loaded on the first call). */
  loadVendored(name: string): unknown;
}

/** `source` names the bundle's source file, for the error on a package it does not hold. */
export function vendorRegistry(source: string, packages: Readonly<Record<string, () => unknown>>): VendorRegistry {
  return {
    packages: Object.keys(packages),
    loadVendored(name) {
      const load = packages[name];
      if (load === undefined) throw new Error(`${name} is not in the server's vendor bundle (${source})`);
      return load();
    },
  };
}
