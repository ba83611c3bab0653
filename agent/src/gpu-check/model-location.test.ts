import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubCacheFolderName, huggingFaceHubCacheDir, locateModel } from './model-location';

describe('huggingFaceHubCacheDir', () => {
  it('follows huggingface_hub: HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub', () => {
    expect(huggingFaceHubCacheDir({ HF_HUB_CACHE: '/models/hub', HF_HOME: '/hf' }, '/home/u')).toBe('/models/hub');
    expect(huggingFaceHubCacheDir({ HUGGINGFACE_HUB_CACHE: '/legacy' }, '/home/u')).toBe('/legacy');
    expect(huggingFaceHubCacheDir({ HF_HOME: '/hf' }, '/home/u')).toBe('/hf/hub');
    expect(huggingFaceHubCacheDir({ XDG_CACHE_HOME: '/xdg' }, '/home/u')).toBe('/xdg/huggingface/hub');
    expect(huggingFaceHubCacheDir({}, '/home/u')).toBe('/home/u/.cache/huggingface/hub');
  });

  it('names cache folders as the hub does', () => {
    expect(hubCacheFolderName('meta-llama/Llama-3.1-8B-Instruct')).toBe('models--meta-llama--Llama-3.1-8B-Instruct');
    expect(hubCacheFolderName('gpt2')).toBe('models--gpt2');
  });
});

describe('locateModel', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gpu-check-models-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a local directory', () => {
    mkdirSync(path.join(dir, 'my-model'));
    expect(locateModel(path.join(dir, 'my-model'), {}, dir)).toEqual({ available: true, model: path.join(dir, 'my-model'), detail: 'local path' });
  });

  it('accepts a model id with a snapshot in the cache, and refuses one without', () => {
    const env = { HF_HOME: path.join(dir, 'hf') };
    mkdirSync(path.join(dir, 'hf/hub/models--org--tiny/snapshots'), { recursive: true });
    expect(locateModel('org/tiny', env, dir)).toMatchObject({ available: false, reason: expect.stringContaining('not in the local Hugging Face cache') });
    mkdirSync(path.join(dir, 'hf/hub/models--org--tiny/snapshots/abc123'));
    expect(locateModel('org/tiny', env, dir)).toEqual({ available: true, model: 'org/tiny', detail: `Hugging Face cache ${path.join(dir, 'hf/hub')}` });
  });

  it('explains a missing setting or path', () => {
    expect(locateModel(undefined, {}, dir)).toMatchObject({ available: false, reason: expect.stringMatching(/^GPU_CHECK_MODEL not set/) });
    expect(locateModel('  ', {}, dir)).toMatchObject({ available: false });
    expect(locateModel('/models/nowhere', {}, dir)).toEqual({ available: false, reason: 'GPU_CHECK_MODEL path /models/nowhere does not exist' });
  });
});
