import { describe, expect, it } from '@jest/globals';
import {
  canonicalPlanText,
  digestKeyFrom,
  planDigest,
  readDigestKey,
  readPlan,
  resourceDigests,
} from '../../src/plan/index.js';
import { InputError } from '../../src/inputs/index.js';
import { syntheticPlan, type SyntheticResource } from './synthetic-plan.js';

/** printf '"s3"' | openssl dgst -sha256 -hmac kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk */
const EXPECTED_HMAC = '39dbbdf13f0cbe3a61fd086ac591a6783d14b54a36a61b7e0bac8753e2a1b733';

const update: SyntheticResource = {
  address: 'terraform_data.a',
  actions: ['update'],
  before: { id: 'x', input: { size: 1, password: 'old-secret' } },
  after: { id: 'x', input: { size: 2, password: 'new-secret' } },
  before_sensitive: { input: { password: true } },
  after_sensitive: { input: { password: true } },
};
const create: SyntheticResource = {
  address: 'module.m.terraform_data.b',
  actions: ['create'],
  after: { input: 'b' },
  after_unknown: { id: true, output: true },
};
const digestOf = (resources: SyntheticResource[], extra: Record<string, unknown> = {}) =>
  planDigest(readPlan(syntheticPlan(resources, extra)));

describe('planDigest', () => {
  it('is the same for the same changes whatever the order, timestamp or Terraform version', () => {
    const a = digestOf([update, create]);
    const b = digestOf([create, update], {
      timestamp: '2030-01-01T00:00:00Z',
      terraform_version: '1.99.0',
      format_version: '1.0',
    });
    expect(b).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores no-op resources and no-op outputs, prior state and configuration', () => {
    const noop: SyntheticResource = {
      address: 'terraform_data.same',
      actions: ['no-op'],
      before: { id: 'n' },
      after: { id: 'n' },
    };
    expect(
      digestOf([update, noop], {
        prior_state: { values: { x: 1 } },
        output_changes: { o: { actions: ['no-op'], before: 1, after: 1 } },
      }),
    ).toBe(digestOf([update]));
  });

  it('changes with any visible change: a value, an action, an address, a move, an import, an output', () => {
    const base = digestOf([update, create]);
    const variants = [
      digestOf([
        { ...update, after: { id: 'x', input: { size: 3, password: 'new-secret' } } },
        create,
      ]),
      digestOf([update, { ...create, actions: ['delete', 'create'] }]),
      digestOf([update, { ...create, address: 'module.m.terraform_data.c' }]),
      digestOf([update, { ...create, previous_address: 'terraform_data.old' }]),
      digestOf([update, { ...create, after_unknown: { id: true } }]),
      digestOf([update, create], {
        output_changes: { o: { actions: ['create'], before: null, after: 'v' } },
      }),
      digestOf([update]),
      // An update that also imports (by ID, or by identity since Terraform 1.12).
      digestOf([{ ...update, importing: { id: 'x' } }, create]),
      digestOf([{ ...update, importing: { identity: { email: 'a@example.com' } } }, create]),
      digestOf([{ ...update, importing: { identity: { email: 'b@example.com' } } }, create]),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('never contains a sensitive value, only whether it changes', () => {
    const text = canonicalPlanText(readPlan(syntheticPlan([update])));
    expect(text).not.toContain('secret');
    expect(text).toContain('{"(sensitive)":"changed"}');
    const unchanged = canonicalPlanText(
      readPlan(
        syntheticPlan([
          { ...update, after: { id: 'x', input: { size: 2, password: 'old-secret' } } },
        ]),
      ),
    );
    expect(unchanged).toContain('{"(sensitive)":"unchanged"}');
    // Two different new secrets look the same: the digest cannot be used to guess a secret.
    expect(
      digestOf([{ ...update, after: { id: 'x', input: { size: 2, password: 'other' } } }]),
    ).toBe(digestOf([update]));
  });

  it('gives per-resource digests so a mismatch can name what differs', () => {
    const left = resourceDigests(readPlan(syntheticPlan([update, create])));
    const right = resourceDigests(
      readPlan(syntheticPlan([update, { ...create, after: { input: 'c' } }])),
    );
    expect([...left.keys()].sort()).toEqual(['module.m.terraform_data.b', 'terraform_data.a']);
    expect(left.get('terraform_data.a')).toBe(right.get('terraform_data.a'));
    expect(left.get('module.m.terraform_data.b')).not.toBe(right.get('module.m.terraform_data.b'));
  });

  it('pins the canonical form (apply depends on it: see docs/adr/0003-plan-digest.md)', () => {
    const text = canonicalPlanText(
      readPlan(
        syntheticPlan([create], {
          output_changes: { url: { actions: ['create'], before: null, after_unknown: true } },
        }),
      ),
    );
    expect(text).toBe(
      '{"outputs":[{"actions":["create"],"after":{"(unknown)":true},"before":null,"name":"url"}],' +
        '"resources":[{"actions":["create"],"address":"module.m.terraform_data.b","after":{"id":{"(unknown)":true},"input":"b","output":{"(unknown)":true}},"before":null}],"v":2}',
    );
  });
});

describe('planDigest with a digest-key', () => {
  const key = digestKeyFrom('0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978');
  const otherKey = digestKeyFrom('ffeeddccbbaa99887766554433221100ffeeddccbbaa9988');
  const keyed = (resources: SyntheticResource[], withKey = key) =>
    planDigest(readPlan(syntheticPlan(resources)), withKey);
  /** The same plan with one sensitive value changed again after review. */
  const changedAgain: SyntheticResource = {
    ...update,
    after: { id: 'x', input: { size: 2, password: 'new-secret-2' } },
  };

  it('changes when one sensitive value changes, even from one changed value to another', () => {
    expect(keyed([changedAgain])).not.toBe(keyed([update]));
    expect(keyed([update])).toBe(keyed([update]));
    // Without a key both plans say only "changed": the change is invisible.
    expect(digestOf([changedAgain])).toBe(digestOf([update]));
  });

  it('never holds a sensitive value in clear, before or after, in any digest input', () => {
    for (const resources of [[update], [changedAgain]]) {
      const plan = readPlan(syntheticPlan(resources));
      const text = canonicalPlanText(plan, key);
      expect(text).not.toMatch(/old-secret|new-secret/);
      expect(text).toMatch(/"password":\{"\(sensitive\)":"hmac-sha256:[0-9a-f]{64}"\}/);
      expect(text).toContain('"v":2');
      expect(canonicalPlanText(plan)).not.toMatch(/old-secret|new-secret/);
    }
  });

  it('depends on the key: another key, or none, gives another digest; a plan without secrets does not', () => {
    expect(keyed([update], otherKey)).not.toBe(keyed([update]));
    expect(digestOf([update])).not.toBe(keyed([update]));
    expect(keyed([create])).toBe(digestOf([create]));
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect(key.id).not.toBe(otherKey.id);
    const perResource = resourceDigests(readPlan(syntheticPlan([changedAgain])), key);
    expect(perResource.get('terraform_data.a')).not.toBe(
      resourceDigests(readPlan(syntheticPlan([update])), key).get('terraform_data.a'),
    );
  });

  it('pins the keyed form of a sensitive part: HMAC-SHA256 of its canonical JSON', () => {
    const text = canonicalPlanText(
      readPlan(
        syntheticPlan([], {
          output_changes: {
            token: { actions: ['create'], before: null, after: 's3', after_sensitive: true },
          },
        }),
      ),
      digestKeyFrom('k'.repeat(32)),
    );
    expect(text).toBe(
      '{"outputs":[{"actions":["create"],"after":{"(sensitive)":"hmac-sha256:HMAC"},"before":null,"name":"token"}],"resources":[],"v":2}'.replace(
        'HMAC',
        EXPECTED_HMAC,
      ),
    );
  });
});

describe('readDigestKey', () => {
  const source = (value: string) => (name: string) => (name === 'digest-key' ? value : '');

  it('is undefined when empty, a key with a public id otherwise', () => {
    expect(readDigestKey(source(''))).toBeUndefined();
    const key = readDigestKey(source('a'.repeat(64)));
    expect(key?.id).toBe(digestKeyFrom('a'.repeat(64)).id);
  });

  it('refuses a short key naming the input, without echoing it', () => {
    const attempt = () => readDigestKey(source('hunter2-short'));
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow("Input 'digest-key': must be a secret of at least 32 characters");
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
