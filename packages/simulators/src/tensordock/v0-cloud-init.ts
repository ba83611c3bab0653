// TensorDock v0 takes cloud-init as YAML text (`cloudinit_script`; dstack escaped its newlines as "\n"),
// where v2 takes an object. Our node runtime runs the object's runcmd lines, so this reads the runcmd
// list out of the YAML: a block list whose items are one-line plain or quoted strings, or flow lists
// ([sh, -c, "..."]). Other keys are not run by the simulator and are skipped.

export class V0CloudInitError extends Error {}

export interface V0CloudInit {
  runcmd: (string | string[])[];
}

export function parseV0CloudInit(script: string): V0CloudInit {
  // Only a script without real newlines is read as escaped: a real one may hold "\n" inside a command.
  const text = script.includes('\n') ? script : script.replace(/\\n/g, '\n');
  const runcmd: (string | string[])[] = [];
  let inRuncmd = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (/^\S/.test(line)) {
      // A top-level key; `runcmd:` with an inline flow list is read at once.
      const inline = /^runcmd:\s*(\[.*\])\s*$/.exec(line);
      if (inline) runcmd.push(...(parseScalar(inline[1]!) as string[]));
      inRuncmd = /^runcmd:\s*$/.test(line);
      continue;
    }
    if (!inRuncmd) continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (!item) throw new V0CloudInitError(`cloudinit_script: runcmd items must be one-line strings or [flow, lists] (at "${line.trim().slice(0, 60)}")`);
    runcmd.push(parseScalar(item[1]!.trim()));
  }
  return { runcmd };
}

function parseScalar(raw: string): string | string[] {
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) throw new V0CloudInitError(`cloudinit_script: unterminated flow list ${raw.slice(0, 60)}`);
    return splitFlowList(raw.slice(1, -1)).map((part) => {
      const value = parseScalar(part.trim());
      if (Array.isArray(value)) throw new V0CloudInitError('cloudinit_script: nested lists in runcmd are not supported');
      return value;
    });
  }
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw new V0CloudInitError(`cloudinit_script: bad double-quoted string ${raw.slice(0, 60)}`);
    }
  }
  if (raw.startsWith("'")) {
    if (!raw.endsWith("'") || raw.length < 2) throw new V0CloudInitError(`cloudinit_script: bad single-quoted string ${raw.slice(0, 60)}`);
    return raw.slice(1, -1).replace(/''/g, "'");
  }
  return raw;
}

/** Splits a flow list's inside on the commas outside quotes. */
function splitFlowList(inner: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let index = 0; index < inner.length; index++) {
    const char = inner[index]!;
    if (quote !== null) {
      current += char;
      if (char === '\\' && quote === '"' && index + 1 < inner.length) current += inner[++index];
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}
