/**
 * No false mismatch: two independent plans of the same change against the same state (made at
 * different times, in different folders, into different plan files) give the same plan-digest,
 * although their plan JSON differs (timestamps).
 */
import { describe, expect, it } from '@jest/globals';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { terraformAvailable } from '../../shared/test/terraform/terraform-fixture.js';
import { deployedStack, stackScenario } from './support/apply-scenario.js';

const describeTerraform = terraformAvailable() ? describe : describe.skip;

describeTerraform('plan-digest across independent plans', () => {
  it('is the same for two plans of the same change, and differs for another change', async () => {
    const first = deployedStack();
    const second = stackScenario();
    try {
      first.edit('default = "hello"', 'default = "bonjour"');
      first.edit('default = false', 'default = true');
      // The second checkout: same code, same state (as the apply job sees it after the merge).
      cpSync(first.dir, second.dir, { recursive: true });
      second.tf(['init', '-input=false', '-no-color']);

      const one = first.review('one.tfplan');
      await sleep(1100);
      const two = second.review('two.tfplan');
      const jsonOne = first.tf(['show', '-json', '-no-color', 'one.tfplan']);
      const jsonTwo = second.tf(['show', '-json', '-no-color', 'two.tfplan']);
      expect(jsonOne).not.toBe(jsonTwo);
      expect(two.digest).toBe(one.digest);

      writeFileSync(join(second.dir, 'override.tf'), 'variable "greeting" { default = "hola" }\n');
      expect(second.review('three.tfplan').digest).not.toBe(one.digest);
    } finally {
      first.cleanup();
      second.cleanup();
    }
  });
});
