import { describe, expect, it } from '@jest/globals';
import { parsePlan, PlanFormatError, readPlan } from '../../src/plan/index.js';
import { syntheticPlan } from './synthetic-plan.js';

describe('readPlan', () => {
  it('reads every format version 0.x and 1.x and ignores fields it does not know', () => {
    for (const version of ['0.1', '0.2', '1.0', '1.2', '1.9']) {
      const plan = readPlan({
        ...syntheticPlan([
          { address: 'terraform_data.a', actions: ['create'], after: { input: 1 } },
        ]),
        format_version: version,
        some_future_field: { nested: [1, 2, 3] },
      });
      expect(plan.formatVersion).toBe(version);
      expect(plan.resourceChanges).toHaveLength(1);
      expect(plan.resourceChanges[0]?.kind).toBe('create');
    }
  });

  it('refuses a major version above 1 with a message naming the version', () => {
    expect(() => readPlan({ format_version: '2.0', resource_changes: [] })).toThrow(
      PlanFormatError,
    );
    expect(() => readPlan({ format_version: '2.0' })).toThrow(/format_version 2\.0.*0\.x and 1\.x/);
  });

  it('refuses what is not a plan, without quoting the text', () => {
    expect(() => parsePlan('{"format_version": "1.0", "secret": "s3cr3t-value"')).toThrow(
      'The plan file is not valid JSON; expected `terraform show -json <planfile>` output.',
    );
    expect(() => readPlan({ values: {} })).toThrow(/no format_version/);
    expect(() => readPlan([])).toThrow(/not an object/);
  });

  it('classifies actions and keeps moves, imports and module addresses', () => {
    const plan = readPlan(
      syntheticPlan([
        { address: 'terraform_data.a', actions: ['delete', 'create'] },
        { address: 'terraform_data.b', actions: ['create', 'delete'] },
        { address: 'module.x.module.y.terraform_data.c["k"]', actions: ['delete'] },
        { address: 'terraform_data.d', actions: ['no-op'], previous_address: 'terraform_data.old' },
        { address: 'terraform_data.e', actions: ['no-op'], importing: { id: 'i-1' } },
        { address: 'terraform_data.f', actions: ['forget'] },
        { address: 'data.x.y', actions: ['read'] },
      ]),
    );
    expect(plan.resourceChanges.map((change) => change.kind)).toEqual([
      'replace',
      'replace',
      'destroy',
      'no-op',
      'no-op',
      'forget',
      'read',
    ]);
    expect(plan.resourceChanges[1]?.createBeforeDestroy).toBe(true);
    expect(plan.resourceChanges[2]?.moduleAddress).toBe('module.x.module.y');
    expect(plan.resourceChanges[3]?.previousAddress).toBe('terraform_data.old');
    expect(plan.resourceChanges[4]?.importingId).toBe('i-1');
  });

  it('derives the module address when format 0.1 leaves it out', () => {
    const document = syntheticPlan(
      [{ address: 'module.a.module.b.terraform_data.x[0]', actions: ['create'] }],
      {
        format_version: '0.1',
      },
    );
    const entries = document['resource_changes'] as Record<string, unknown>[];
    delete entries[0]?.['module_address'];
    expect(readPlan(document).resourceChanges[0]?.moduleAddress).toBe('module.a.module.b');
  });

  it('collects sensitive values from markers, sensitive outputs and sensitive root variables', () => {
    const plan = readPlan(
      syntheticPlan(
        [
          {
            address: 'terraform_data.a',
            actions: ['update'],
            before: { input: { user: 'admin', password: 'old-password' } },
            after: { input: { user: 'admin', password: 'new-password' } },
            before_sensitive: { input: { password: true } },
            after_sensitive: { input: { password: true } },
          },
        ],
        {
          variables: { db_password: { value: 'from-variable' }, region: { value: 'eu-west-1' } },
          configuration: {
            root_module: {
              variables: { db_password: { sensitive: true }, region: {} },
              outputs: { token: { sensitive: true } },
            },
          },
          output_changes: {
            token: {
              actions: ['create'],
              before: null,
              after: 'output-token',
              after_unknown: false,
            },
          },
        },
      ),
    );
    expect([...plan.sensitiveStrings].sort()).toEqual([
      'from-variable',
      'new-password',
      'old-password',
      'output-token',
    ]);
    expect(plan.outputChanges[0]?.afterSensitive).toBe(true);
  });
});
