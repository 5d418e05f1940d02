import { describe, expect, it } from '@jest/globals';
import { selectOutputs } from '../src/stack-outputs.js';

const all = {
  url: { sensitive: false, type: 'string', value: 'https://api.example.test' },
  password: { sensitive: true, type: 'string', value: 'line "one"\nline two' },
  keys: { sensitive: true, type: ['list', 'string'], value: ['k-12345', 'k-67890'] },
};

describe('selectOutputs', () => {
  it('leaves sensitive outputs out by default, but still returns their values to mask', () => {
    const selected = selectOutputs(all, false);
    expect(Object.keys(selected.outputs)).toEqual(['url']);
    expect(selected.omitted).toEqual(['keys', 'password']);
    expect(selected.secrets).toEqual(expect.arrayContaining(['k-12345', 'k-67890', 'line two']));
  });

  it('includes them when asked, with every form they take in outputs-json masked', () => {
    const selected = selectOutputs(all, true);
    expect(Object.keys(selected.outputs)).toEqual(['keys', 'password', 'url']);
    expect(selected.omitted).toEqual([]);
    const json = JSON.stringify(selected.outputs);
    let masked = json;
    for (const secret of [...selected.secrets].sort((a, b) => b.length - a.length))
      masked = masked.split(secret).join('***');
    expect(masked).not.toContain('k-12345');
    expect(masked).not.toContain('one');
    expect(masked).toContain('https://api.example.test');
  });
});
