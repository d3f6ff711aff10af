import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultModelFor, parseModelIndex } from '../../src/model/model-index.ts';

describe('the model index', () => {
  const index = parseModelIndex({
    default: 'all', models: [{ name: 'all', title: 'All modalities' }, { name: 'flair-only' }, { title: 'no name' }],
    defaultsFor: [{ modalities: ['flair'], model: 'flair-only' }, { modalities: ['flair', 't1'], model: 'gone' }],
  }, 'index.json');

  it('lists the named models, titles falling back to names, and drops rules for unlisted models', () => {
    expect(index.models).toEqual([{ name: 'all', title: 'All modalities' }, { name: 'flair-only', title: 'flair-only' }]);
    expect(index.defaultsFor).toEqual([{ modalities: ['flair'], model: 'flair-only' }]);
  });

  it('picks the rule whose modalities are exactly the given ones, else the default', () => {
    expect(defaultModelFor(index, ['flair'])).toBe('flair-only');
    expect(defaultModelFor(index, ['flair', 't1'])).toBe('all');
    expect(defaultModelFor(index, ['t2', 'flair', 't1'])).toBe('all');
    expect(defaultModelFor(index, [])).toBe('all');
  });

  it("keeps a rule's voxel-size limit: a thick-slice FLAIR gets the default", () => {
    const sized = parseModelIndex({
      default: 'all', models: [{ name: 'all' }, { name: 'flair-only' }],
      defaultsFor: [{ modalities: ['flair'], maxVoxelMm: 2, model: 'flair-only' }, { modalities: ['t1'], maxVoxelMm: 'big', model: 'all' }],
    }, 'index.json');
    expect(sized.defaultsFor).toEqual([{ modalities: ['flair'], maxVoxelMm: 2, model: 'flair-only' }, { modalities: ['t1'], model: 'all' }]);
    expect(defaultModelFor(sized, ['flair'], [1, 1, 1])).toBe('flair-only');
    expect(defaultModelFor(sized, ['flair'], [0.9, 1.95, 0.9])).toBe('flair-only');
    expect(defaultModelFor(sized, ['flair'], [0.9, 0.9, 2])).toBe('all');
    expect(defaultModelFor(sized, ['flair'], [3, 1, 1])).toBe('all');
    // no voxel size known: the rule holds
    expect(defaultModelFor(sized, ['flair'])).toBe('flair-only');
  });

  it('falls back to the first model without a usable default, and refuses a list without models', () => {
    expect(parseModelIndex({ default: 'missing', models: [{ name: 'x' }] }, 'i').defaultModel).toBe('x');
    expect(() => parseModelIndex({ models: [] }, 'models/index.json')).toThrow('the model list models/index.json names no model');
    expect(() => parseModelIndex(null, 'i')).toThrow(/names no model/);
  });

  it("the shipped index's defaults name shipped models", () => {
    const shipped = parseModelIndex(JSON.parse(readFileSync('public/models/index.json', 'utf8')), 'public/models/index.json');
    for (const name of [shipped.defaultModel, ...shipped.defaultsFor.map((r) => r.model)]) {
      expect(readFileSync(`public/models/${name}/model.json`, 'utf8')).toContain('lesion-workbench-model/1');
    }
  });
});
