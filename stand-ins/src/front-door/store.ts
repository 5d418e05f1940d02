/**
 * The Front Door stand-in's state: one plain object the resource modules (origin-groups.ts,
 * origins.ts, async-operations.ts) share. The profile's scope (subscription, resource group,
 * profile) is fixed at start; origin groups and origins are kept by lower-case name, as ARM
 * paths are case-insensitive. Nothing here speaks HTTP.
 */
import type { AsyncOperation } from './async-operations.js';

export type EnabledState = 'Enabled' | 'Disabled';

export interface OriginSeed {
  name: string;
  hostName: string;
  /** 1-1000; default 1000. */
  weight?: number;
  /** 1-5; default 1. */
  priority?: number;
  enabledState?: EnabledState;
  httpPort?: number;
  httpsPort?: number;
  originHostHeader?: string;
}

export interface OriginGroupSeed {
  name: string;
  /** The latency sensitivity window; Azure's default is 50 ms, 0 makes weights meaningless. */
  additionalLatencyInMilliseconds?: number;
  origins: OriginSeed[];
}

export interface OriginState {
  weight: number;
  priority: number;
  enabledState: EnabledState;
  hostName: string;
  provisioningState: 'Succeeded' | 'Updating' | 'Failed';
}

/** What an origin update may change. */
export type OriginChanges = Partial<Pick<OriginState, 'weight' | 'priority' | 'enabledState'>>;

export interface OriginUpdate {
  originGroup: string;
  origin: string;
  operationId: string;
  /** The properties the PATCH asked for. */
  changes: OriginChanges;
  acceptedAt: Date;
}

export interface Origin extends OriginState {
  name: string;
  httpPort: number;
  httpsPort: number;
  originHostHeader: string;
}

export interface OriginGroup {
  name: string;
  additionalLatencyInMilliseconds: number;
  origins: Map<string, Origin>;
}

/** The Front Door profile the stand-in serves. */
export interface ProfileScope {
  subscriptionId: string;
  resourceGroup: string;
  profile: string;
}

export interface FrontDoorStore {
  readonly scope: ProfileScope;
  readonly groups: Map<string, OriginGroup>;
  readonly operations: Map<string, AsyncOperation>;
  /** Every accepted update, oldest first. */
  readonly updates: OriginUpdate[];
  readonly updateListeners: Set<(update: OriginUpdate) => void>;
  operationDelayMs: number;
  /** The failure the next accepted update's operation ends with. */
  nextFailure: { code: string; message: string } | undefined;
  /** The server's origin, for the Azure-AsyncOperation URL; set once it listens. */
  baseUrl: string;
}

export function createFrontDoorStore(
  scope: ProfileScope,
  originGroups: OriginGroupSeed[],
  operationDelayMs: number,
): FrontDoorStore {
  return {
    scope,
    groups: new Map(originGroups.map((seed) => [seed.name.toLowerCase(), seedGroup(seed)])),
    operations: new Map(),
    updates: [],
    updateListeners: new Set(),
    operationDelayMs,
    nextFailure: undefined,
    baseUrl: '',
  };
}

function seedGroup(seed: OriginGroupSeed): OriginGroup {
  return {
    name: seed.name,
    additionalLatencyInMilliseconds: seed.additionalLatencyInMilliseconds ?? 50,
    origins: new Map(seed.origins.map((origin) => [origin.name.toLowerCase(), seedOrigin(origin)])),
  };
}

function seedOrigin(origin: OriginSeed): Origin {
  return {
    name: origin.name,
    hostName: origin.hostName,
    weight: origin.weight ?? 1000,
    priority: origin.priority ?? 1,
    enabledState: origin.enabledState ?? 'Enabled',
    provisioningState: 'Succeeded',
    httpPort: origin.httpPort ?? 80,
    httpsPort: origin.httpsPort ?? 443,
    originHostHeader: origin.originHostHeader ?? origin.hostName,
  };
}

/** For the seed and read helpers: a missing origin group is the test's mistake. */
export function groupOrThrow(store: FrontDoorStore, name: string): OriginGroup {
  const group = store.groups.get(name.toLowerCase());
  if (!group) throw new Error(`front-door stand-in: no origin group ${name}`);
  return group;
}

export function originOrThrow(store: FrontDoorStore, groupName: string, name: string): Origin {
  const origin = groupOrThrow(store, groupName).origins.get(name.toLowerCase());
  if (!origin) throw new Error(`front-door stand-in: no origin ${name}`);
  return origin;
}

/** The ARM resource id of an origin group, or of one of its origins. */
export function resourceId(scope: ProfileScope, group: OriginGroup, origin?: Origin): string {
  const groupId = `${profileId(scope)}/origingroups/${group.name}`;
  return origin ? `${groupId}/origins/${origin.name}` : groupId;
}

export function profileId(scope: ProfileScope): string {
  return `${resourceGroupId(scope)}/providers/Microsoft.Cdn/profiles/${scope.profile}`;
}

export function resourceGroupId(scope: ProfileScope): string {
  return `/subscriptions/${scope.subscriptionId}/resourcegroups/${scope.resourceGroup}`;
}
