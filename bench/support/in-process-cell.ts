/** What bench/functions.mjs runs in process: the core on in-memory ports behind the Lambda HTTP mapping. */
export { createCellApp } from '../../functions/src/core/cell-app.js';
export {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../../functions/src/memory/memory-adapters.js';
export {
  apiGatewayResult,
  coreRequestFromApiGateway,
} from '../../functions/src/aws/lambda-http.js';
