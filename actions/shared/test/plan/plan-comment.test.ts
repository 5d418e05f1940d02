/** The plan-comment codec: the listing line it writes, and what it reads back from any body. */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import {
  COMMENT_LIMIT,
  planDigest,
  planMarker,
  readPlan,
  renderPlanComment,
  setPlanCommentStatus,
  STATUS_RESERVE,
} from '../../src/plan/index.js';
import {
  PLAIN_LISTING_MAX,
  planListingLine,
  readPlanListing,
} from '../../src/plan/plan-comment.js';
import { planListing } from '../../src/plan/plan-listing.js';
import { expectListingRoundTrip, listingOf, withoutListing } from './listing-round-trip.js';
import { largePlan, syntheticPlan, type SyntheticResource } from './synthetic-plan.js';

const SECRET = 'hunter2-prod-db';
const context = { stack: 'aws', commitSha: 'a1b2c3d4e5f60718', runId: '7' };

function plan(resources: SyntheticResource[], extra: Record<string, unknown> = {}) {
  return readPlan(syntheticPlan(resources, extra));
}

function comment(model: ReturnType<typeof plan>) {
  return renderPlanComment(model, { ...context, digest: planDigest(model) });
}

/** Addresses whose keys do not compress: a listing of `count` of them outgrows its room. */
function incompressible(count: number, action: string[]): SyntheticResource[] {
  return Array.from({ length: count }, (_, i) => ({
    address: `terraform_data.item["${createHash('sha256').update(`${action.join()}${i}`).digest('hex').slice(0, 40)}"]`,
    actions: action,
    before: action[0] === 'create' ? null : { input: i },
    after: action.join() === 'delete' ? null : { input: i + 1 },
  }));
}

const everyKind: SyntheticResource[] = [
  {
    address: 'module.cell.terraform_data.cart',
    actions: ['update'],
    before: { memory: 256, env: { LOG: 'info', DB_PASSWORD: SECRET } },
    after: { memory: 512, env: { LOG: 'warn', DB_PASSWORD: 'rotated-secret-99' } },
    before_sensitive: { env: { DB_PASSWORD: true } },
    after_sensitive: { env: { DB_PASSWORD: true } },
  },
  {
    address: 'terraform_data.fn',
    actions: ['create', 'delete'],
    before: { arch: 'x86_64' },
    after: { arch: 'arm64' },
    action_reason: 'replace_because_cannot_update',
    replace_paths: [['arch']],
  },
  { address: 'terraform_data.old', actions: ['delete'], before: { id: 'o' }, deposed: '0a1b2c3d' },
  { address: 'terraform_data.old', actions: ['update'], before: { n: 1 }, after: { n: 2 } },
  {
    address: 'terraform_data.moved',
    actions: ['no-op'],
    previous_address: 'terraform_data.before_move',
    before: {},
    after: {},
  },
  {
    address: 'terraform_data.imported',
    actions: ['no-op'],
    importing: { id: 'i-0abc123-import-id' },
    before: {},
    after: {},
  },
  { address: 'data.terraform_remote_state.net', actions: ['read'], after: {} },
];

describe('plan listing in the sticky comment', () => {
  it('round-trips every kind of change, deposed objects, moves and imports, with no value', () => {
    const model = plan(everyKind, {
      output_changes: { url: { actions: ['create'], before: null, after: 'https://x.example' } },
    });
    const body = expectListingRoundTrip(model);
    const listing = listingOf(body);
    expect(listing?.line).toMatch(/^<!-- multicloud:plan-listing v1 json \{/);
    for (const value of [SECRET, 'rotated-secret-99', 'x86_64', 'arm64', 'i-0abc123', 'https://'])
      expect(listing?.json).not.toContain(value);
    const read = readPlanListing(body, 'round-trip');
    expect(read.state === 'complete' && read.listing.resources.map((r) => r.deposed)).toContain(
      '0a1b2c3d',
    );
  });

  it('keeps addresses whole and the HTML comment closed, whatever the for_each keys hold', () => {
    const keys = [
      'a--b',
      'x-->y',
      '<!-- multicloud:status -->',
      'end-',
      '\u202Eevil',
      'k'.repeat(3000),
    ];
    const model = plan(
      keys.map((key) => ({
        address: `terraform_data.keyed["${key}"]`,
        actions: ['delete'],
        before: { id: key },
      })),
    );
    const body = expectListingRoundTrip(model);
    const read = readPlanListing(body, 'round-trip');
    expect(read.state === 'complete' && read.listing.resources.map((r) => r.address)).toEqual(
      expect.arrayContaining([`terraform_data.keyed["${'k'.repeat(3000)}"]`]),
    );
    // The visible comment still ends where it should (no early end of the hidden line).
    expect(body.split('\n')[3]).toMatch(/^### Terraform plan for `round-trip`/);
  });

  it('stays readable JSON while short and compresses a long listing', () => {
    const small = planListing(plan(everyKind));
    expect(planListingLine({ stack: 's' }, small, 60_000)).toContain(' v1 json ');
    const big = planListing(readPlan(largePlan({ create: 400, update: 400 })));
    const line = planListingLine({ stack: 's' }, big, 60_000);
    expect(line).toMatch(/^<!-- multicloud:plan-listing v1 br-base64 [A-Za-z0-9+/]+=* -->$/);
    expect(line.length).toBeLessThan(PLAIN_LISTING_MAX * 2);
  });

  it('says it is partial when the listing outgrows half the comment, destroys and replaces first', () => {
    const destroys = incompressible(300, ['delete']);
    const model = plan([...incompressible(4_000, ['create']), ...destroys]);
    const body = expectListingRoundTrip(model);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
    expect(listingOf(body)?.line.length).toBeLessThanOrEqual((COMMENT_LIMIT - STATUS_RESERVE) / 2);
    const read = readPlanListing(body, 'round-trip');
    expect(read.state).toBe('partial');
    if (read.state !== 'partial') return;
    expect(read.everyDestroyKept).toBe(true);
    expect(read.resourcesLeftOut).toBeGreaterThan(0);
    expect(read.listing.resources.filter((r) => r.actions.join() === 'delete')).toHaveLength(300);
    // The visible caution list still names every destroy.
    for (const resource of destroys) expect(body).toContain(resource.address);
  });

  it('says when not even every destroy fits, and the comment keeps its limit', () => {
    const model = plan(incompressible(6_000, ['delete']));
    const body = comment(model);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
    const read = readPlanListing(body, 'aws');
    expect(read.state === 'partial' && read.everyDestroyKept).toBe(false);
  });

  it('is kept when the apply sets the status line', () => {
    const model = plan(everyKind);
    const body = setPlanCommentStatus(comment(model), 'Applied at a1b2c3d by run 4243');
    expect(readPlanListing(body, 'aws').state).toBe('complete');
  });
});

describe('reading a listing back from any comment body', () => {
  const model = plan(everyKind);
  const body = comment(model);
  const line = listingOf(body)?.line ?? '';

  it('says "unavailable", with the reason, for a comment written before the listing existed', () => {
    const read = readPlanListing(withoutListing(body), 'aws');
    expect(read).toEqual({
      state: 'unavailable',
      reason: expect.stringContaining('carries no machine-readable listing'),
    });
  });

  it('reads only the hidden lines that open the comment, never text in the report', () => {
    const moved = `${withoutListing(body)}\n${line}\n`;
    expect(readPlanListing(moved, 'aws').state).toBe('unavailable');
  });

  it('refuses a listing of another stack, plan or commit than the meta line says', () => {
    const otherDigest = body.replace(/digest=[0-9a-f]{64} /, `digest=${'0'.repeat(64)} `);
    expect(readPlanListing(otherDigest, 'aws')).toMatchObject({
      state: 'unavailable',
      reason: expect.stringContaining('belongs to another stack, plan or commit'),
    });
    const otherCommit = body.replace(/commit=[0-9A-Za-z]+ /, 'commit=ffff ');
    expect(readPlanListing(otherCommit, 'aws').state).toBe('unavailable');
    expect(readPlanListing(body.replace(planMarker('aws'), planMarker('gcp')), 'gcp').state).toBe(
      'unavailable',
    );
  });

  it('never throws on a damaged, foreign or oversized listing', () => {
    const head = body.slice(0, body.indexOf(line));
    const tail = body.slice(body.indexOf(line) + line.length);
    const bomb = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024, 0x20)).toString('base64');
    const cases: [string, string][] = [
      ['<!-- multicloud:plan-listing v1 json {"v":1,"resources":[ -->', 'not JSON'],
      ['<!-- multicloud:plan-listing v1 json [] -->', 'not an object'],
      ['<!-- multicloud:plan-listing v1 br-base64 %%% -->', 'not base64'],
      ['<!-- multicloud:plan-listing v1 br-base64 AAAA -->', 'does not decompress'],
      [`<!-- multicloud:plan-listing v1 br-base64 ${bomb} -->`, 'far too large'],
      ['<!-- multicloud:plan-listing v1 zip AAAA -->', "encoding 'zip' is not known"],
      ['<!-- multicloud:plan-listing v2 json {} -->', 'format v2'],
      ['<!-- multicloud:plan-listing v1 -->', 'damaged'],
      [line.replace(/"address":"[^"]+"/, '"address":7'), 'address is not a string'],
    ];
    for (const [damaged, reason] of cases) {
      const read = readPlanListing(`${head}${damaged}${tail}`, 'aws');
      expect(read.state === 'unavailable' && read.reason).toContain(reason);
    }
  });
});
