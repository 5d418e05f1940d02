import { randomBytes } from 'node:crypto';
import type { SasRule } from '../../../stand-ins/src/event-hubs/sas.js';

/**
 * The SAS rules the azure-cell Terraform module gives the functions
 * (terraform/modules/azure-cell/main.tf): Send and Listen on the event hub, Send on the
 * notification hub, never Manage. The stand-ins refuse what Azure refuses with these (reading
 * a hub's description needs Manage), so a cell that needs more fails its tests here.
 */
export function functionsEventHubRules(): Record<string, SasRule> {
  return {
    'functions-send-listen': {
      key: randomBytes(32).toString('base64'),
      rights: ['Send', 'Listen'],
    },
  };
}

export function functionsNotificationHubRules(): Record<string, SasRule> {
  return { 'functions-send': { key: randomBytes(32).toString('base64'), rights: ['Send'] } };
}
