/**
 * Origin groups of the Front Door profile:
 *
 *   GET /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{p}
 *         /originGroups/{g}                                    AFDOriginGroups_Get
 *
 * The body carries the load-balancing settings the traffic-shift action checks
 * (additionalLatencyInMilliseconds: weights only matter among origins inside that window).
 * Another subscription, resource group or profile is 404 ParentResourceNotFound; an unknown
 * group 404 ResourceNotFound. `setLatencySensitivity(group, ms)` changes the window out of band.
 */
import { json, type StandInResponse } from '../http/server.js';
import { armError, armHeaders, resourceNotFound, type PathMatch } from './arm.js';
import { resourceId, type FrontDoorStore, type OriginGroup } from './store.js';

/** The origin group a matched path names, below this stand-in's profile; 404 otherwise. */
export function originGroupOf(store: FrontDoorStore, match: PathMatch): OriginGroup {
  const { subscriptionId, resourceGroup, profile } = store.scope;
  const sameProfile =
    match.subscription?.toLowerCase() === subscriptionId.toLowerCase() &&
    match.group?.toLowerCase() === resourceGroup.toLowerCase() &&
    match.profile?.toLowerCase() === profile.toLowerCase();
  if (!sameProfile) {
    throw armError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${match.profile ?? ''}' not found.`,
    );
  }
  const group = store.groups.get((match.originGroup ?? '').toLowerCase());
  if (!group) throw resourceNotFound(store.scope, 'origingroups', match.originGroup ?? '');
  return group;
}

export function getOriginGroup(store: FrontDoorStore, match: PathMatch): StandInResponse {
  return json(200, originGroupBody(store, originGroupOf(store, match)), armHeaders());
}

function originGroupBody(store: FrontDoorStore, group: OriginGroup) {
  return {
    id: resourceId(store.scope, group),
    type: 'Microsoft.Cdn/profiles/origingroups',
    name: group.name,
    properties: {
      loadBalancingSettings: {
        sampleSize: 4,
        successfulSamplesRequired: 3,
        additionalLatencyInMilliseconds: group.additionalLatencyInMilliseconds,
      },
      healthProbeSettings: {
        probePath: '/health',
        probeRequestType: 'HEAD',
        probeProtocol: 'Https',
        probeIntervalInSeconds: 100,
      },
      trafficRestorationTimeToHealedOrNewEndpointsInMinutes: null,
      sessionAffinityState: 'Disabled',
      provisioningState: 'Succeeded',
      deploymentStatus: 'NotStarted',
    },
  };
}
