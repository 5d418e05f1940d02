import { describe, expect, it } from '@jest/globals';
import { parsePlan, PlanFormatError, readPlan } from '../../src/plan/index.js';
import { objectMembers, readPlanSections } from '../../src/plan/plan-sections.js';

const tricky = {
  format_version: '1.2',
  planned_values: {
    root_module: { resources: [{ values: { text: 'a "quoted" } ] { [ value \\' } }] },
    outputs: { pw: { sensitive: true } },
  },
  resource_changes: [
    {
      address: 'terraform_data.a["k\\"}"]',
      change: {
        actions: ['create'],
        before: null,
        after: { input: 'brace } bracket ] quote " backslash \\\\' },
        after_unknown: {},
      },
    },
  ],
  output_changes: { pw: { actions: ['create'], before: null, after: 'secret-value' } },
  prior_state: { values: { outputs: {}, root_module: {} } },
  configuration: {
    root_module: {
      variables: { v: { sensitive: true } },
      resources: [{ expressions: { x: '}' } }],
    },
  },
  '\u00e9t\u00e9': 1,
};

describe('readPlanSections', () => {
  it('finds members around strings holding quotes, braces and backslashes, pretty or compact', () => {
    for (const text of [
      JSON.stringify(tricky),
      JSON.stringify(tricky, null, 4),
      JSON.stringify(tricky).replace('"\u00e9t\u00e9"', '"\\u00e9t\\u00e9"'),
    ]) {
      const members = objectMembers(text, 0);
      expect([...(members?.keys() ?? [])]).toEqual([...Object.keys(tricky)]);
      const fast = readPlan(readPlanSections(text));
      const full = readPlan(JSON.parse(text));
      expect(fast.resourceChanges).toEqual(full.resourceChanges);
      expect(fast.outputChanges).toEqual(full.outputChanges);
      expect([...fast.sensitiveStrings]).toEqual(['secret-value']);
    }
  });

  it('falls back to a full parse for what is not shaped as expected, and still refuses invalid JSON', () => {
    expect(readPlanSections('[1, 2]')).toBeUndefined();
    expect(readPlanSections('{"format_version": "1.0"} trailing')).toBeUndefined();
    expect(readPlanSections('{"format_version": "1.0"')).toBeUndefined();
    expect(() => parsePlan('{"format_version": "1.0"} trailing')).toThrow(PlanFormatError);
    expect(() => parsePlan('{"format_version": "1.0", "resource_changes": [tru]}')).toThrow(
      'The plan file is not valid JSON',
    );
  });
});
