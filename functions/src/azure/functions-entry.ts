// Azure Functions entry point (package.json "main"). App settings are validated at cold
// start: a missing one fails the worker's load with its name, before any trigger fires.
import { app } from '@azure/functions';
import { createAzureCell } from './cell.js';
import { azureConfigFromEnv } from './config.js';

createAzureCell(azureConfigFromEnv(process.env)).register(app);
