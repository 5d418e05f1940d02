import { describe, expect, it } from '@jest/globals';
import {
  code,
  escapeHidden,
  graphemePrefix,
  graphemeSuffix,
  truncate,
} from '../../src/plan/markdown.js';
import { Redactor, scrubShortLeaves } from '../../src/plan/redaction.js';

/** No lone surrogate (String#isWellFormed is ES2024, past this project's lib). */
const wellFormed = (text: string) => !/\p{Cs}/u.test(text);
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const boundaries = (text: string) =>
  new Set([0, ...[...segmenter.segment(text)].map((s) => s.index + s.segment.length)]);
// A family (four pictographs joined by U+200D), a flag, e + U+0301 (combining acute).
const EMOJI = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}\u{1F1EA}\u{1F1FA}e\u0301';

describe('grapheme-safe truncation', () => {
  it('cuts only between user-perceived characters, at every boundary position', () => {
    for (let pad = 0; pad < 24; pad++) {
      const text = `${'x'.repeat(pad)}${EMOJI.repeat(6)}`;
      const cuts = boundaries(text);
      for (let max = 0; max <= text.length; max++) {
        const prefix = graphemePrefix(text, max);
        expect(prefix.length).toBeLessThanOrEqual(max);
        expect(cuts.has(prefix.length)).toBe(true);
        const suffix = graphemeSuffix(text, max);
        expect(cuts.has(text.length - suffix.length)).toBe(true);
        expect(wellFormed(truncate(text, max + 1))).toBe(true);
      }
    }
  });

  it('stays fast on long texts (only a window around the cut is segmented)', () => {
    const text = '界'.repeat(600_000);
    expect(graphemePrefix(text, 340_000)).toHaveLength(340_000);
    expect(graphemeSuffix(text, 1)).toBe('界');
  });
});

describe('shortened code spans', () => {
  const address = (env: string) =>
    `aws_iam_policy.p["${'team-platform-'.repeat(50)}${env}${'-shared-baseline'.repeat(50)}"]`;

  it('keep two addresses that differ only in the middle apart, and say they are shortened', () => {
    const prod = code(address('prod'));
    const staging = code(address('staging'));
    expect(prod).not.toBe(staging);
    expect(prod).toMatch(
      /^`aws_iam_policy\.p\["team-platform-.*….*-shared-baseline"\]` \(shortened from 1,524 characters, sha256 `[0-9a-f]{32}`\)$/,
    );
    expect(code(address('prod'))).toBe(prod);
  });

  it('never cut an escape in half (Terraform writes a hidden character of a key as \\u200d)', () => {
    const family = '\u{1F468}\\u200d\u{1F469}\\u200d\u{1F467}\\u200d\u{1F466}';
    for (let pad = 0; pad < 30; pad++) {
      const text = `${'k'.repeat(460 + pad)}${family.repeat(20)}${'z'.repeat(470 + pad)}`;
      const shown = code(text);
      const span = shown.slice(1, shown.indexOf('` (shortened'));
      const [head, tail] = span.split('…') as [string, string];
      // Every backslash starts a whole escape; nothing begun at the end, nothing ended at the start.
      expect(head).not.toMatch(/\\(u[0-9a-f]{0,3})?$/);
      expect(`${head}\u0000${tail}`.replace(/\\u200d/g, '')).not.toContain('\\');
      expect(tail).toMatch(/^(\\u200d|\u{1F468}|\u{1F469}|\u{1F467}|\u{1F466}|z)/u);
      expect(text.startsWith(head) && text.endsWith(tail)).toBe(true);
    }
    expect(code(`${'\\\\u'.repeat(400)}`).length).toBeLessThan(1_100);
  });

  it('never split an emoji at the cut', () => {
    for (let pad = 0; pad < 12; pad++) {
      const text = `${'k'.repeat(495 + pad)}${EMOJI.repeat(20)}${'z'.repeat(480 + pad)}`;
      expect(wellFormed(code(text))).toBe(true);
    }
  });
});

describe('hidden characters', () => {
  it('escapes bidi controls, zero-width and control characters, but not the parts of an emoji', () => {
    expect(escapeHidden('user-\u202Enimda')).toBe('user-\\u202Enimda');
    expect(escapeHidden('a\u2066b\u2069c\u200Bd\u200Ee\u0007f\uFEFF')).toBe(
      'a\\u2066b\\u2069c\\u200Bd\\u200Ee\\u0007f\\uFEFF',
    );
    expect(escapeHidden('ad\u200Dmin')).toBe('ad\\u200Dmin');
    expect(escapeHidden(EMOJI)).toBe(EMOJI);
    expect(escapeHidden('🏴󠁧󠁢󠁳󠁣󠁴󠁿')).toBe('🏴󠁧󠁢󠁳󠁣󠁴󠁿');
    expect(code('x["\u202E"]', true)).toBe('`x["\\u202E"]`');
  });
});

describe('short sensitive values within one instance', () => {
  const instance = {
    before: { input: { name: 'pins', pin: '17', flag: 'Q' }, output: { name: 'pins', pin: '17' } },
    after: { input: { name: 'pins2', pin: '17', flag: 'Q' } },
    beforeSensitive: { input: { pin: true, flag: true }, output: {} },
    afterSensitive: { input: { pin: true, flag: true } },
  };

  it('hides any leaf equal to a value sensitive in that instance, whatever its length', () => {
    const redactor = new Redactor().forInstance(instance);
    expect(redactor.display({ state: 'known', value: { name: 'pins', pin: '17' } }, 200)).toBe(
      '{"name":"pins","pin":(sensitive)}',
    );
    expect(redactor.display({ state: 'known', value: 17 }, 200)).toBe('(sensitive)');
    expect(redactor.display({ state: 'known', value: ['Q', 'R'] }, 200)).toBe('[(sensitive),"R"]');
    expect(redactor.display({ state: 'known', value: 'pins' }, 200)).toBe('"pins"');
    // Another instance keeps its own values: the rule is per instance.
    expect(new Redactor().display({ state: 'known', value: '17' }, 200)).toBe('"17"');
  });

  it('hides them where Terraform prints them as values in its own text (the log)', () => {
    const log = '  - pin  = "17"\n  - flag = "Q"\n  ~ port = 17 -> 18\n  name = "pins17"';
    expect(scrubShortLeaves(log, ['17', 'Q'])).toBe(
      '  - pin  = (sensitive)\n  - flag = (sensitive)\n  ~ port = (sensitive) -> 18\n  name = "pins17"',
    );
  });
});
