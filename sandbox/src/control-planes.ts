import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLOUDS } from '../../actions/shared/src/clouds.js';
import {
  startAzureIdentityStandIn,
  type AzureIdentityStandIn,
} from '../../stand-ins/src/azure-identity/index.js';
import {
  startFrontDoorStandIn,
  type FrontDoorStandIn,
} from '../../stand-ins/src/front-door/index.js';
import {
  createTestCertificate,
  type TestCertificate,
} from '../../stand-ins/src/http/test-certificate.js';
import { startRoute53StandIn, type Route53StandIn } from '../../stand-ins/src/route53/index.js';
import type { FrontDoorOrigin, RoutingWeights } from './router/weights.js';

/**
 * What the global-routing Terraform module creates (named as terraform/stacks/global does
 * with its defaults: app `shop`, profile `<name>-fd`, origin group `cells`, one origin and one
 * set identifier per cloud key), as the sandbox seeds it: one weighted
 * record per cloud in a Route 53 zone (TTL 60, set identifiers aws/azure, 50/50), and one
 * Front Door origin group with one origin per cloud (500/500, a 500 ms latency window so the
 * weights apply).
 */
export const GLOBAL_ROUTING = {
  route53: {
    hostedZoneId: 'Z0SANDBOX0GLOBAL',
    zoneName: 'multicloud.example',
    recordName: 'shop.multicloud.example',
    recordType: 'CNAME',
    setIdentifiers: { aws: 'aws', azure: 'azure' },
    initialWeights: { aws: 50, azure: 50 },
  },
  frontDoor: {
    subscriptionId: '00000000-0000-0000-0000-00000000c0de',
    resourceGroup: 'rg-shop-global',
    profile: 'shop-fd',
    originGroup: 'cells',
    origins: { aws: 'aws', azure: 'azure' },
    initialWeight: 500,
    priorities: { aws: 2, azure: 1 },
    additionalLatencyInMilliseconds: 500,
  },
  /**
   * The cells' public host names the records and origins point at (an API Gateway custom
   * domain and an API Management host in the clouds); the edge router maps them to the cells
   * on this machine.
   */
  cellHostNames: { aws: 'aws.cells.multicloud.example', azure: 'azure.cells.multicloud.example' },
  identity: {
    tenantId: '11111111-1111-1111-1111-111111111111',
    clientId: '22222222-2222-2222-2222-222222222222',
  },
} as const;

export interface WeightChange {
  router: 'route53' | 'frontdoor';
  text: string;
}

export interface ControlPlanes {
  route53: Route53StandIn;
  frontDoor: FrontDoorStandIn;
  identity: AzureIdentityStandIn;
  /** The weights both control planes hold at this instant (read per routed request). */
  readWeights(): RoutingWeights;
  /** The traffic-shift action's router inputs that point it here. */
  shiftInputs(): Record<string, string>;
  /** The environment the action needs to authenticate here (never real credentials). */
  shiftEnv(): Record<string, string>;
  onWeightChange(listener: (change: WeightChange) => void): void;
  close(): Promise<void>;
}

/** The stand-ins behind the control planes, and what they were started with. */
interface PlaneServers {
  route53: Route53StandIn;
  frontDoor: FrontDoorStandIn;
  identity: AzureIdentityStandIn;
  certificate: TestCertificate;
  federatedTokenFile: string;
}

/**
 * Starts the Entra token endpoint, Route 53 and Front Door stand-ins, seeded as the
 * global-routing module creates them, behind one test certificate. A failure stops what started.
 */
export async function startControlPlanes(): Promise<ControlPlanes> {
  const certificate = await createTestCertificate();
  const secrets = mkdtempSync(join(tmpdir(), 'multicloud-sandbox-oidc-'));
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const server of started.reverse()) await server.close();
    await certificate.remove();
    rmSync(secrets, { recursive: true, force: true });
  };
  try {
    const federatedToken = `sandbox-oidc-${Date.now()}`;
    const federatedTokenFile = join(secrets, 'federated-token');
    writeFileSync(federatedTokenFile, federatedToken, { mode: 0o600 });
    const identity = await startIdentity(certificate, federatedToken);
    started.push(identity);
    const route53 = await startRoute53();
    started.push(route53);
    const frontDoor = await startFrontDoor(certificate, identity);
    started.push(frontDoor);
    return controlPlanes(
      { route53, frontDoor, identity, certificate, federatedTokenFile },
      closeAll,
    );
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function startIdentity(
  certificate: TestCertificate,
  federatedToken: string,
): Promise<AzureIdentityStandIn> {
  return startAzureIdentityStandIn({
    tls: certificate,
    tenantId: GLOBAL_ROUTING.identity.tenantId,
    clientId: GLOBAL_ROUTING.identity.clientId,
    federatedToken,
  });
}

/** One weighted record per cloud in the zone (TTL 60), pointing at the cell's host name. */
function startRoute53(): Promise<Route53StandIn> {
  const r53 = GLOBAL_ROUTING.route53;
  return startRoute53StandIn({
    zones: [
      {
        id: r53.hostedZoneId,
        name: r53.zoneName,
        recordSets: CLOUDS.map((cloud) => ({
          name: r53.recordName,
          type: r53.recordType,
          setIdentifier: r53.setIdentifiers[cloud],
          weight: r53.initialWeights[cloud],
          ttl: 60,
          resourceRecords: [GLOBAL_ROUTING.cellHostNames[cloud]],
        })),
      },
    ],
  });
}

/** One origin group with one origin per cloud; its ARM API takes the Entra stand-in's tokens. */
function startFrontDoor(
  certificate: TestCertificate,
  identity: AzureIdentityStandIn,
): Promise<FrontDoorStandIn> {
  const afd = GLOBAL_ROUTING.frontDoor;
  return startFrontDoorStandIn({
    tls: certificate,
    subscriptionId: afd.subscriptionId,
    resourceGroup: afd.resourceGroup,
    profile: afd.profile,
    originGroups: [
      {
        name: afd.originGroup,
        additionalLatencyInMilliseconds: afd.additionalLatencyInMilliseconds,
        // API Management first, the AWS cell as its priority-2 backup (ADR 16).
        origins: CLOUDS.map((cloud) => ({
          name: afd.origins[cloud],
          hostName: GLOBAL_ROUTING.cellHostNames[cloud],
          weight: afd.initialWeight,
          priority: afd.priorities[cloud],
        })),
      },
    ],
    isValidToken: (token) => identity.isValidToken(token),
  });
}

function controlPlanes(servers: PlaneServers, close: () => Promise<void>): ControlPlanes {
  const { route53, frontDoor, identity } = servers;
  const readWeights = (): RoutingWeights => readRoutingWeights(route53, frontDoor);
  const listeners: ((change: WeightChange) => void)[] = [];
  const emit = (change: WeightChange): void => listeners.forEach((listener) => listener(change));
  route53.onChange(() => {
    const { route53: weights } = readWeights();
    emit({ router: 'route53', text: `Route 53 weights aws=${weights.aws} azure=${weights.azure}` });
  });
  frontDoor.onUpdate((update) => {
    const parts = Object.entries(update.changes).map(([key, value]) => `${key}=${String(value)}`);
    emit({
      router: 'frontdoor',
      text: `Front Door origin ${update.origin}: ${parts.join(' ')} (accepted)`,
    });
  });
  return {
    route53,
    frontDoor,
    identity,
    readWeights,
    shiftInputs: () => shiftInputs(route53, frontDoor),
    shiftEnv: () => shiftEnv(servers),
    onWeightChange: (listener) => listeners.push(listener),
    close,
  };
}

function readRoutingWeights(route53: Route53StandIn, frontDoor: FrontDoorStandIn): RoutingWeights {
  const { route53: r53, frontDoor: afd } = GLOBAL_ROUTING;
  const records = route53.weights(r53.hostedZoneId, r53.recordName, r53.recordType);
  const origins = frontDoor.origins(afd.originGroup);
  const origin = (name: string): FrontDoorOrigin => {
    const state = origins[name];
    return {
      weight: state?.weight ?? 0,
      enabled: state?.enabledState === 'Enabled',
      priority: state?.priority ?? 1,
    };
  };
  return {
    route53: {
      aws: records[r53.setIdentifiers.aws] ?? 0,
      azure: records[r53.setIdentifiers.azure] ?? 0,
    },
    frontDoor: { aws: origin(afd.origins.aws), azure: origin(afd.origins.azure) },
  };
}

/** The traffic-shift action's router inputs that point it at these stand-ins. */
function shiftInputs(route53: Route53StandIn, frontDoor: FrontDoorStandIn): Record<string, string> {
  const { route53: r53, frontDoor: afd } = GLOBAL_ROUTING;
  return {
    'route53-hosted-zone-id': r53.hostedZoneId,
    'route53-record-name': r53.recordName,
    'route53-record-type': r53.recordType,
    'route53-set-identifiers': `aws=${r53.setIdentifiers.aws},azure=${r53.setIdentifiers.azure}`,
    'aws-endpoint-url': route53.url,
    'azure-subscription-id': afd.subscriptionId,
    'frontdoor-resource-group': afd.resourceGroup,
    'frontdoor-profile': afd.profile,
    'frontdoor-origin-group': afd.originGroup,
    'frontdoor-origins': `aws=${afd.origins.aws},azure=${afd.origins.azure}`,
    'azure-resource-manager-url': frontDoor.url,
  };
}

/** The environment the action authenticates with here (never real credentials). */
function shiftEnv(servers: PlaneServers): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_REGION: 'us-east-1',
    AZURE_AUTHORITY_HOST: servers.identity.url,
    AZURE_TENANT_ID: GLOBAL_ROUTING.identity.tenantId,
    AZURE_CLIENT_ID: GLOBAL_ROUTING.identity.clientId,
    AZURE_FEDERATED_TOKEN_FILE: servers.federatedTokenFile,
    NODE_EXTRA_CA_CERTS: servers.certificate.certPath,
    // The action runs on Node 20 here; the SDK's notice about its 2027 releases is noise.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
