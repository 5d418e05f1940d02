import { describe, expect, it } from '@jest/globals';
import { describeLockHolder, parseLockTimeout } from '../../src/terraform/state-lock.js';
import { parseLockError } from '../../src/terraform/terraform-error.js';

describe('parseLockTimeout', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['3s', 3],
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['500ms', 0.5],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseLockTimeout(text)).toBeCloseTo(seconds);
  });

  it.each(['', '5', 'five minutes', '-5m', '5 m', 'm5', '5d'])('refuses %p', (text) => {
    expect(parseLockTimeout(text)).toBeUndefined();
  });
});

describe('describeLockHolder', () => {
  it('names who holds the lock, with its ID, operation and age', () => {
    const lock = parseLockError(
      [
        'Error: Error acquiring the state lock',
        '',
        'Error message: resource temporarily unavailable',
        'Lock Info:',
        '  ID:        0f5d3c1e-8a2b-4c7d-9e6f-123456789abc',
        '  Path:      terraform.tfstate',
        '  Operation: OperationTypeApply',
        '  Who:       runner@fv-az123',
        '  Version:   1.11.4',
        '  Created:   2026-11-24 10:00:00.000000 +0000 UTC',
        '  Info:',
      ].join('\n'),
    );
    expect(describeLockHolder(lock)).toBe(
      'runner@fv-az123 (OperationTypeApply, lock ID 0f5d3c1e-8a2b-4c7d-9e6f-123456789abc, since 2026-11-24 10:00:00.000000 +0000 UTC, state terraform.tfstate)',
    );
  });

  it('says so when Terraform gave no lock info', () => {
    expect(describeLockHolder(undefined)).toContain('another run');
  });
});
