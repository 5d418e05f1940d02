/**
 * What bench/functions.mjs runs in process: the core on in-memory ports behind the Lambda HTTP
 * mapping, checking bearer tokens from a local OIDC issuer (its JWKS over loopback HTTP).
 */
export { createCellApp } from '../../functions/src/core/cell-app.js';
export { idempotencyHome } from '../../functions/src/core/routes/order-routes.js';
export {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../../functions/src/memory/memory-adapters.js';
export {
  apiGatewayResult,
  coreRequestFromApiGateway,
} from '../../functions/src/aws/lambda-http.js';
export { startOidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
