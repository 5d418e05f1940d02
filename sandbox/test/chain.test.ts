// The chain's rules on their own (ADR 16): Route 53's health-aware weighted choice, Front
// Door's priority / health / weight choice, and the product that gives each cloud's share.
import { describe, expect, it } from '@jest/globals';

import {
  chainShares,
  frontDoorShares,
  route53Shares,
  routeThroughChain,
  type RoutingHealth,
} from '../src/router/chain.js';
import type { RoutingWeights } from '../src/router/weights.js';

const healthy = { aws: true, azure: true };
const weights = (aws: number, azure: number, apim = true, backup = true): RoutingWeights => ({
  route53: { aws, azure },
  frontDoor: {
    aws: { weight: aws * 10 || 1, enabled: backup, priority: 2 },
    azure: { weight: azure * 10 || 1, enabled: apim, priority: 1 },
  },
});
const health = (r53: [boolean, boolean], fd: [boolean, boolean]): RoutingHealth => ({
  route53: { aws: r53[0], azure: r53[1] },
  frontDoor: { aws: fd[0], azure: fd[1] },
});

describe('Route 53', () => {
  it('splits by weight among healthy records, zero weights only when every weighted one fails', () => {
    expect(route53Shares({ aws: 25, azure: 75 }, healthy)).toEqual({ aws: 0.25, azure: 0.75 });
    expect(route53Shares({ aws: 25, azure: 75 }, { aws: true, azure: false })).toEqual({
      aws: 1,
      azure: 0,
    });
    expect(route53Shares({ aws: 0, azure: 100 }, { aws: true, azure: false })).toEqual({
      aws: 1,
      azure: 0,
    });
    // Every record unhealthy: answered as if all were healthy.
    expect(route53Shares({ aws: 0, azure: 100 }, { aws: false, azure: false })).toEqual({
      aws: 0,
      azure: 1,
    });
    expect(route53Shares({ aws: 0, azure: 0 }, healthy)).toEqual({ aws: 0.5, azure: 0.5 });
  });
});

describe('Front Door', () => {
  it('sends everything to the best priority that is enabled and healthy, the backup otherwise', () => {
    const { frontDoor } = weights(50, 50);
    expect(frontDoorShares(frontDoor, healthy)).toEqual({ aws: 0, azure: 1 });
    expect(frontDoorShares(frontDoor, { aws: true, azure: false })).toEqual({ aws: 1, azure: 0 });
    expect(frontDoorShares(weights(50, 0, false).frontDoor, healthy)).toEqual({ aws: 1, azure: 0 });
    // Complete probe failure: every enabled origin, by priority then weight.
    expect(frontDoorShares(frontDoor, { aws: false, azure: false })).toEqual({ aws: 0, azure: 1 });
    expect(frontDoorShares(weights(50, 50, false, false).frontDoor, healthy)).toEqual({
      aws: 0,
      azure: 0,
    });
  });

  it('splits by weight among origins of one priority (inside the latency window)', () => {
    const same = weights(25, 75);
    same.frontDoor.aws.priority = 1;
    expect(frontDoorShares(same.frontDoor, healthy)).toEqual({ aws: 0.25, azure: 0.75 });
  });
});

describe('the chain', () => {
  it('gives each cloud exactly the Route 53 split while everything is healthy', () => {
    for (const [aws, azure] of [
      [50, 50],
      [25, 75],
      [0, 100],
      [100, 0],
    ] as const) {
      expect(
        chainShares(weights(aws, azure, azure > 0, aws > 0), health([true, true], [true, true])),
      ).toEqual({
        aws: aws / 100,
        azure: azure / 100,
      });
    }
  });

  it("sends Azure's share to AWS when API Management fails, in DNS or at Front Door", () => {
    expect(chainShares(weights(50, 50), health([true, false], [true, true]))).toEqual({
      aws: 1,
      azure: 0,
    });
    // Route 53 has not noticed yet; Front Door has: its backup serves the Azure record.
    expect(chainShares(weights(50, 50), health([true, true], [true, false]))).toEqual({
      aws: 1,
      azure: 0,
    });
    const route = routeThroughChain(
      weights(50, 50),
      health([true, true], [true, false]),
      () => 0.9,
    );
    expect(route).toEqual({ cloud: 'aws', viaFrontDoor: true });
  });

  it('answers nothing when Route 53 picks Front Door and every origin is disabled', () => {
    expect(
      routeThroughChain(weights(0, 100, false, false), health([true, true], [true, true])),
    ).toBeUndefined();
  });
});
