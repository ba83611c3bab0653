// Where GPU_CHECK_MODEL is, without downloading anything: a local path, or a Hugging Face model id
// whose snapshot is already in the local hub cache (resolved the way huggingface_hub does).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export type ModelLocation = { available: true; model: string; detail: string } | { available: false; reason: string };

/** huggingface_hub's cache: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function huggingFaceHubCacheDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  const explicit = env.HF_HUB_CACHE?.trim() || env.HUGGINGFACE_HUB_CACHE?.trim();
  if (explicit) return explicit;
  const hfHome = env.HF_HOME?.trim() || path.join(env.XDG_CACHE_HOME?.trim() || path.join(homeDir, '.cache'), 'huggingface');
  return path.join(hfHome, 'hub');
}

/** "meta-llama/Llama-3.1-8B-Instruct" → "models--meta-llama--Llama-3.1-8B-Instruct". */
export function hubCacheFolderName(modelId: string): string {
  return `models--${modelId.split('/').join('--')}`;
}

// An id is "name" or "org/name" of letters, digits, '-', '_', '.'; anything else can only be a path.
const MODEL_ID = /^(?:[\w.-]+\/)?[\w.-]+$/;

const looksLikePath = (model: string) => model.startsWith('/') || model.startsWith('.') || model.startsWith('~') || !MODEL_ID.test(model);

export function locateModel(model: string | undefined, env: NodeJS.ProcessEnv, homeDir: string): ModelLocation {
  const name = model?.trim();
  if (!name) return { available: false, reason: 'GPU_CHECK_MODEL not set (a local model path or a Hugging Face id already in the cache)' };
  if (existsSync(name)) return { available: true, model: path.resolve(name), detail: 'local path' };
  if (looksLikePath(name)) return { available: false, reason: `GPU_CHECK_MODEL path ${name} does not exist` };
  const cacheDir = huggingFaceHubCacheDir(env, homeDir);
  const snapshots = path.join(cacheDir, hubCacheFolderName(name), 'snapshots');
  const cached = existsSync(snapshots) && readdirSync(snapshots).length > 0;
  return cached
    ? { available: true, model: name, detail: `Hugging Face cache ${cacheDir}` }
    : { available: false, reason: `model ${name} is not in the local Hugging Face cache (${cacheDir}); the check never downloads` };
}
