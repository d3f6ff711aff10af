import { describe, expect, it } from 'vitest';
import { flag, optionalNumber, optionalString, parseCliArgs, requiredString, type OptionSpec } from '../../src/cli/args.ts';

const SPEC: OptionSpec = { pred: { type: 'string' }, beta: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

describe('parseCliArgs and getters', () => {
  it('parses strings, numbers and flags', () => {
    const o = parseCliArgs(['--pred', 'a.nii.gz', '--beta', '2.5', '-h'], SPEC);
    expect(requiredString(o, 'pred')).toBe('a.nii.gz');
    expect(optionalNumber(o, 'beta', 1.5)).toBe(2.5);
    expect(flag(o, 'help')).toBe(true);
    expect(optionalString(o, 'missing')).toBeUndefined();
    expect(optionalNumber(parseCliArgs([], SPEC), 'beta', 1.5)).toBe(1.5);
    expect(flag(parseCliArgs([], SPEC), 'help')).toBe(false);
  });

  it('rejects unknown options and positionals with one-line messages', () => {
    for (const argv of [['--nope', 'x'], ['stray'], ['--pred']]) {
      let message = '';
      try {
        parseCliArgs(argv, SPEC);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, argv.join(' ')).not.toBe('');
      expect(message).not.toContain('\n');
    }
  });

  it('names the option in getter errors', () => {
    expect(() => requiredString(parseCliArgs([], SPEC), 'pred')).toThrow('missing required option --pred');
    expect(() => requiredString(parseCliArgs(['--pred', ''], SPEC), 'pred')).toThrow('--pred');
    for (const bad of ['abc', '', ' ', 'Infinity', 'NaN']) {
      expect(() => optionalNumber(parseCliArgs(['--beta', bad], SPEC), 'beta', 1)).toThrow(/^--beta must be a number/);
    }
  });
});
