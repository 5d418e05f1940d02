import { describe, expect, it } from '@jest/globals';
import { attributeChanges, maskableSecrets, Redactor } from '../../src/plan/index.js';

describe('Redactor', () => {
  const redactor = new Redactor(['hunter2-secret', 'line one\nline two', 'ab']);

  it('hides any value that is or contains a sensitive value, checked before truncation', () => {
    expect(redactor.display({ state: 'known', value: 'hunter2-secret' }, 100)).toBe('(sensitive)');
    expect(redactor.display({ state: 'known', value: { copy: 'x hunter2-secret y' } }, 5)).toBe(
      '(sensitive)',
    );
    expect(redactor.display({ state: 'known', value: 'line one\nline two!' }, 100)).toBe(
      '(sensitive)',
    );
    // Short secrets match whole values only.
    expect(redactor.display({ state: 'known', value: 'ab' }, 100)).toBe('(sensitive)');
    expect(redactor.display({ state: 'known', value: 'abc' }, 100)).toBe('"abc"');
    expect(redactor.display({ state: 'known', value: 'x'.repeat(50) }, 10)).toBe('"xxxxxxxx…');
  });

  it('scrubs free text such as error messages', () => {
    expect(redactor.scrub('Error: invalid value "hunter2-secret" for password')).toBe(
      'Error: invalid value "(sensitive)" for password',
    );
  });

  it('registers multi-line secrets line by line and skips one- or two-character ones', () => {
    expect(maskableSecrets(['line one\nline two', 'ab', 'abc']).sort()).toEqual([
      'abc',
      'line one',
      'line one\nline two',
      'line two',
    ]);
  });
});

describe('attributeChanges', () => {
  it('shows an object that becomes unknown as one row, and sensitive values only as changed', () => {
    const changes = attributeChanges(
      { input: { a: 1, pw: 'old' }, output: { a: 1, pw: 'old' }, same: [1, 2] },
      { input: { a: 2, pw: 'new' }, same: [1, 2] },
      { input: { pw: true }, output: { pw: true } },
      { input: { pw: true } },
      { output: true },
    );
    expect(changes.map((change) => [change.path, change.before.state, change.after.state])).toEqual(
      [
        ['input.a', 'known', 'known'],
        ['input.pw', 'sensitive', 'sensitive'],
        ['output', 'sensitive', 'unknown'],
      ],
    );
  });

  it('names list elements and keys that are not identifiers', () => {
    const changes = attributeChanges(
      { tags: { 'cost center': 'a' }, ports: [80, 443] },
      { tags: { 'cost center': 'b' }, ports: [80, 8443] },
      {},
      {},
      {},
    );
    expect(changes.map((change) => change.path)).toEqual(['ports[1]', 'tags["cost center"]']);
    expect(changes.map((change) => change.attribute)).toEqual(['ports', 'tags']);
  });
});
