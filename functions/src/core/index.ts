export { createCellApp, type CellApp, type CellAppOptions } from './cell-app.js';
export type { CellIdentity, DependencyCheck, HealthReport } from './health.js';
export { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';
export { consumeBatch, type BatchItem, type BatchItemFailure } from './order-events.js';
export { HttpProblem, PoisonEventError, SettingsError } from './errors.js';
export type * from './ports.js';
export { commonSettings, readSettings, type SettingsSchema } from './settings.js';
export { catalog } from './catalog.js';
export {
  asymmetricAlgorithms,
  authSettingsSchema,
  type AuthSettings,
} from './auth/auth-settings.js';
export type { Principal } from './auth/principal.js';
