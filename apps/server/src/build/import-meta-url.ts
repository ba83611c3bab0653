// Injected into the CommonJS build of the server (tsup.config.ts, serverCodeBuild), where it stands
// for `import.meta.url`: the URL of the bundle's own file, as the ES module it was built from had.
// Only ever part of that build: `__filename` is CommonJS's.
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
