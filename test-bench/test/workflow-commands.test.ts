import { describe, expect, it } from '@jest/globals';
import {
  annotationsFrom,
  parseCommandLine,
  parseCommands,
  parseKeyValueFile,
} from '../src/workflow-commands.js';

describe('parseCommandLine', () => {
  it('parses properties and undoes GitHub escaping', () => {
    expect(
      parseCommandLine('::error file=a%2Cb.ts,line=12,col=3,title=T%3A 1%25::50%25 done%0Anext'),
    ).toEqual({
      command: 'error',
      properties: { file: 'a,b.ts', line: '12', col: '3', title: 'T: 1%' },
      message: '50% done\nnext',
    });
    expect(parseCommandLine('::add-mask::s3cr3t')).toEqual({
      command: 'add-mask',
      properties: {},
      message: 's3cr3t',
    });
    // %253A is an escaped "%3A" text, not a colon.
    expect(parseCommandLine('::notice::%253A')?.message).toBe('%3A');
  });

  it('ignores lines that are not commands', () => {
    expect(parseCommandLine('plain text')).toBeUndefined();
    expect(parseCommandLine('::no end')).toBeUndefined();
    expect(parseCommandLine('::::empty')).toBeUndefined();
  });
});

describe('parseCommands', () => {
  it('skips commands between stop-commands and its token', () => {
    const output = [
      '::warning::kept',
      '::stop-commands::pause123',
      '::error::ignored',
      '::pause123::',
      '::notice::kept too',
    ].join('\n');
    const commands = parseCommands(output, 'stdout');
    expect(commands.map((c) => [c.command, c.message, c.line])).toEqual([
      ['warning', 'kept', 1],
      ['notice', 'kept too', 5],
    ]);
    expect(annotationsFrom(commands).map((a) => a.level)).toEqual(['warning', 'notice']);
  });
});

describe('parseKeyValueFile', () => {
  it('reads name=value and the heredoc form', () => {
    const content = [
      'simple=a=b',
      'multi<<ghadelimiter_1',
      'one',
      '',
      'three',
      'ghadelimiter_1',
      'empty<<X',
      'X',
      '',
    ].join('\n');
    expect(parseKeyValueFile(content)).toEqual({ simple: 'a=b', multi: 'one\n\nthree', empty: '' });
  });

  it('accepts CRLF line endings', () => {
    expect(parseKeyValueFile('a<<E\r\nx\r\nE\r\nb=1\r\n')).toEqual({ a: 'x', b: '1' });
  });

  it('fails on an unterminated heredoc and on a line of neither form', () => {
    expect(() => parseKeyValueFile('a<<EOF\nvalue\n', 'GITHUB_OUTPUT')).toThrow(
      /GITHUB_OUTPUT: matching delimiter not found for "a"/,
    );
    expect(() => parseKeyValueFile('nonsense\n', 'GITHUB_ENV')).toThrow(/GITHUB_ENV: invalid line/);
  });
});
