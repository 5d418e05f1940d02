// Static checks of the cross-cloud replication Terraform (ADR 23): the queue or hub each cell's
// carts and orders changes wait in, that it outlasts a peer outage, the consumer that reads it,
// and that every identity touches only its own part. checks-catch-broken-modules.test.ts feeds
// each a broken snippet, so a green run of modules.test.ts means something.
import { block, blocksOfType, resolveValue } from './static-checks.js';
import { asBodies, isBody, type Body, type TerraformModule } from './terraform-module.js';

/** What a function of aws-cell's `functions` local may do (see its comment). */
interface FunctionAccess {
  readonly s3_prefixes?: string[];
  readonly s3_read_prefixes?: string[];
  readonly replication_send?: boolean;
  readonly replication_consume?: boolean;
  readonly [flag: string]: unknown;
}

interface Statement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
}

/** The statements of the functions policy that apply to one function (static or gated on its settings). */
export function functionStatements(
  module: TerraformModule,
  access: FunctionAccess,
  document = 'functions',
): Statement[] {
  const policy = module.data.get(`aws_iam_policy_document.${document}`)?.body ?? {};
  const gated = asBodies(isBody(policy.dynamic) ? policy.dynamic.statement : undefined).map(
    (dynamic) => ({
      content: asBodies(dynamic.content)[0] ?? {},
      forEach: String(dynamic.for_each),
    }),
  );
  return [
    ...asBodies(policy.statement).map((content) => ({ content, forEach: undefined })),
    ...gated,
  ]
    .filter(({ forEach }) => forEach === undefined || applies(forEach, access))
    .map(({ content }) => ({
      sid: String(content.sid ?? ''),
      actions: (content.actions as string[] | undefined) ?? [],
      // `[for prefix in … : "…"]` parses to one expression string.
      resources: Array.isArray(content.resources)
        ? content.resources.map(String)
        : [String(content.resources ?? '')],
    }));
}

/** `each.value.x ? [1] : []`, `length(each.value.x) > 0 ? …`, `length(concat(each.value.x, each.value.y)) > 0 ? …`. */
function applies(forEach: string, access: FunctionAccess): boolean {
  const flag = /^\$\{each\.value\.(\w+) \? \[1\] : \[\]\}$/.exec(forEach)?.[1];
  if (flag) return access[flag] === true;
  const lists = /^\$\{length\((?:concat\()?([\w., ]+?)\)?\) > 0 \? \[1\] : \[\]\}$/.exec(
    forEach,
  )?.[1];
  if (lists) {
    const fields = lists.split(',').map((field) => field.trim().replace(/^each\.value\./, ''));
    return fields.some((field) => ((access[field] as unknown[] | undefined) ?? []).length > 0);
  }
  // A form this reader does not know counts as applying: the check then errs on the strict side.
  return true;
}

/** aws-cell's `functions` local: each function's access, by name. */
function functionsOf(module: TerraformModule): Record<string, FunctionAccess> {
  return (module.locals.get('functions')?.value ?? {}) as Record<string, FunctionAccess>;
}

/** `aws_sqs_queue.<name>` that an expression such as `aws_sqs_queue.replication.url` names. */
function queueIn(value: unknown): string | undefined {
  return /aws_sqs_queue\.(\w+)\./.exec(String(value ?? ''))?.[1];
}

/**
 * The expression `key` is set to anywhere in the module's locals (an environment map, or a
 * `merge({...})` call, which parses to one string), without its `${ }`.
 */
function localSetting(module: TerraformModule, key: string): string | undefined {
  const find = (value: unknown): string | undefined => {
    if (typeof value === 'string') {
      const line = new RegExp(`(?:^|\\n|[{\\s])${key}\\s*=\\s*([^\\n]+)`).exec(value)?.[1];
      return line?.trim();
    }
    if (!isBody(value)) return undefined;
    if (key in value) return String(value[key]).replace(/^\$\{([\s\S]*)\}$/, '$1');
    for (const inner of Object.values(value)) {
      const found = find(inner);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const { value } of module.locals.values()) {
    const found = find(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

const writesReplicated = (access: FunctionAccess) =>
  (access.s3_prefixes ?? []).some((prefix) => prefix === 'carts/' || prefix === 'orders/');

/**
 * AWS: REPLICATION_QUEUE_URL names an SQS queue with a redrive to a dead-letter queue that
 * retains messages at least as long, a maxReceiveCount sized for an outage (100 or more), and
 * a retention of at least 7 days; an event source mapping runs the replication function on it,
 * reporting partial batch failures; that function only receives/deletes on it, reads carts and
 * orders, and reads the peer key; every function that writes carts or orders may send to the
 * queue and gets its URL; no other function may touch it, and nobody sends anywhere else.
 */
export function awsReplicationWired(module: TerraformModule): string[] {
  const where = module.name;
  const queue = queueIn(localSetting(module, 'REPLICATION_QUEUE_URL'));
  if (!queue) return [`${where}: no REPLICATION_QUEUE_URL naming an aws_sqs_queue in the locals`];
  const address = `aws_sqs_queue.${queue}`;
  const body = module.resources.get(address)?.body;
  if (!body) return [`${where}: REPLICATION_QUEUE_URL names ${address}, which it does not declare`];
  const problems: string[] = [
    ...redriveProblems(module, address, body),
    ...consumerProblems(module, address),
  ];
  const functions = functionsOf(module);
  for (const [name, access] of Object.entries(functions)) {
    const statements = functionStatements(module, access);
    const onQueue = statements.filter((s) => s.resources.some((r) => queueIn(r) === queue));
    const actions = new Set(onQueue.flatMap((s) => s.actions));
    if (writesReplicated(access) && (!actions.has('sqs:SendMessage') || !access.replication_send))
      problems.push(
        `${where}: function ${name} writes carts or orders but may not send replica.changed to ${address} (replication_send)`,
      );
    for (const statement of statements.filter((s) => s.actions.includes('sqs:SendMessage')))
      if (statement.resources.length !== 1)
        problems.push(
          `${where}: function ${name} statement ${statement.sid} sends to ${statement.resources.length} queues: one queue a statement`,
        );
    const allowed = access.replication_consume
      ? ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']
      : access.replication_send
        ? ['sqs:SendMessage']
        : [];
    const extra = [...actions].filter((action) => !allowed.includes(action));
    if (extra.length > 0)
      problems.push(`${where}: function ${name} may ${extra.join(', ')} on ${address}`);
    if (access.replication_consume)
      problems.push(...consumerRoleProblems(where, name, access, statements, queue));
  }
  problems.push(...environmentProblems(module));
  return problems;
}

function redriveProblems(module: TerraformModule, address: string, body: Body): string[] {
  const where = `${module.name}: ${address}`;
  const redrive = String(body.redrive_policy ?? '');
  const dlq = /deadLetterTargetArn\s*=\s*aws_sqs_queue\.(\w+)\.arn/.exec(redrive)?.[1];
  const dlqBody = dlq ? module.resources.get(`aws_sqs_queue.${dlq}`)?.body : undefined;
  if (!dlqBody) return [`${where} has no redrive_policy to a dead-letter queue of this module`];
  const problems: string[] = [];
  const count = /maxReceiveCount\s*=\s*(\S+)/.exec(redrive)?.[1] ?? '';
  const receives = Number(resolveValue(module, /^[\d]+$/.test(count) ? count : `\${${count}}`));
  if (!(receives >= 100 && receives <= 1000))
    problems.push(
      `${where} maxReceiveCount ${count} must resolve to 100-1,000: each failed delivery spends a receive while the peer is down`,
    );
  const retention = Number(resolveValue(module, body.message_retention_seconds));
  const dlqRetention = Number(resolveValue(module, dlqBody.message_retention_seconds));
  if (!(retention >= 7 * 86400))
    problems.push(
      `${where} keeps messages under 7 days (message_retention_seconds): an outage outlasts them`,
    );
  if (!(dlqRetention >= retention))
    problems.push(
      `${where} dead-letter queue aws_sqs_queue.${dlq} keeps messages less long than the queue: a message keeps its enqueue time when moved`,
    );
  return problems;
}

function consumerProblems(module: TerraformModule, address: string): string[] {
  const mappings = blocksOfType(module, 'aws_lambda_event_source_mapping').filter(([, { body }]) =>
    String(body.event_source_arn).includes(`${address}.arn`),
  );
  if (mappings.length === 0)
    return [`${module.name}: no aws_lambda_event_source_mapping reads ${address}`];
  const functions = functionsOf(module);
  const problems: string[] = [];
  for (const [mapping, { body }] of mappings) {
    const types = body.function_response_types;
    if (!Array.isArray(types) || !types.includes('ReportBatchItemFailures'))
      problems.push(`${module.name}: ${mapping} must report partial batch failures`);
    const name = /functions\["(\w+)"\]/.exec(String(body.function_name))?.[1] ?? '';
    if (functions[name]?.replication_consume !== true)
      problems.push(
        `${module.name}: ${mapping} runs ${name || body.function_name}, which is not the replication consumer`,
      );
  }
  return problems;
}

/** The consumer: receives from its queue only, reads carts and orders only, the peer key only. */
function consumerRoleProblems(
  where: string,
  name: string,
  access: FunctionAccess,
  statements: Statement[],
  queue: string,
): string[] {
  const problems: string[] = [];
  const reads = [...(access.s3_prefixes ?? []), ...(access.s3_read_prefixes ?? [])];
  if (
    (access.s3_prefixes ?? []).length > 0 ||
    reads.some((p) => !['carts/', 'orders/'].includes(p))
  )
    problems.push(
      `${where}: replication function ${name} must only read carts/ and orders/ (s3_read_prefixes), found ${reads.join(', ')}${(access.s3_prefixes ?? []).length > 0 ? ' with write access' : ''}`,
    );
  for (const statement of statements) {
    for (const action of statement.actions) {
      const service = action.split(':')[0];
      const resources = statement.resources.join(', ');
      if (service === 'sqs' && statement.resources.some((r) => queueIn(r) !== queue))
        problems.push(`${where}: replication function ${name} may ${action} on ${resources}`);
      // kms: a queue or bucket under kms_key_arn is read with that key (UseDataKey), no other.
      if (service === 'sns' || action === 's3:PutObject')
        problems.push(`${where}: replication function ${name} may ${action}`);
      if (
        action === 'secretsmanager:GetSecretValue' &&
        resources !== '${var.peer_shared_key_secret_id}'
      )
        problems.push(
          `${where}: replication function ${name} may read ${resources}, not only the peer key`,
        );
    }
  }
  return problems;
}

/** REPLICATION_QUEUE_URL is set on a Lambda only when its function sends or consumes replicas. */
function environmentProblems(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'aws_lambda_function')) {
    const variables = String(block(body, 'environment').variables ?? '');
    const gated =
      /each\.value\.replication_send \|\| each\.value\.replication_consume \? local\.\w+ : \{\}/.test(
        variables,
      );
    if (!gated)
      problems.push(
        `${module.name}: ${address} environment must add REPLICATION_QUEUE_URL only for replication_send or replication_consume functions`,
      );
  }
  return problems;
}

/** The consumer group name an expression gives: a literal, or `azurerm_eventhub_consumer_group.<x>.name` resolved to its name. */
function consumerGroupName(module: TerraformModule, value: unknown, depth = 0): string | undefined {
  const text = String(value ?? '').replace(/^\$\{([\s\S]*)\}$/, '$1');
  const reference = /^azurerm_eventhub_consumer_group\.(\w+)\.name$/.exec(text)?.[1];
  if (!reference) return /^"[^"]*"$/.test(text) ? text.slice(1, -1) : text;
  if (depth > 4) return undefined;
  return consumerGroupName(
    module,
    module.resources.get(`azurerm_eventhub_consumer_group.${reference}`)?.body.name,
    depth + 1,
  );
}

/**
 * Azure: REPLICATION_HUB names an event hub of the namespace the order events use, with a
 * retention derived from replication_outage_hours; it has a consumer group of the name the app
 * registers its triggers with (ORDER_EVENTS_CONSUMER_GROUP); REPLICATION_CONNECTION is a Key
 * Vault reference to the connection string of a send/listen rule of that hub (not Manage).
 */
export function azureReplicationWired(module: TerraformModule): string[] {
  const where = module.name;
  const setting = (key: string) => localSetting(module, key);
  const hub = /^azurerm_eventhub\.(\w+)\.name$/.exec(String(setting('REPLICATION_HUB')))?.[1];
  if (!hub) return [`${where}: no REPLICATION_HUB app setting naming an azurerm_eventhub`];
  const hubBody = module.resources.get(`azurerm_eventhub.${hub}`)?.body;
  const orders = /^azurerm_eventhub\.(\w+)\.name$/.exec(String(setting('ORDER_EVENTS_HUB')))?.[1];
  const problems: string[] = [];
  if (!hubBody)
    return [`${where}: REPLICATION_HUB names azurerm_eventhub.${hub}, which it does not declare`];
  if (hub === orders) problems.push(`${where}: REPLICATION_HUB is the order events hub`);
  const orderBody = orders ? module.resources.get(`azurerm_eventhub.${orders}`)?.body : undefined;
  if (orderBody && hubBody.namespace_id !== orderBody.namespace_id)
    problems.push(`${where}: azurerm_eventhub.${hub} is not in the order events' namespace`);
  if (!String(hubBody.message_retention ?? '').includes('var.replication_outage_hours'))
    problems.push(
      `${where}: azurerm_eventhub.${hub} message_retention must follow var.replication_outage_hours: the trigger retries until the hub drops the event`,
    );
  const wanted = consumerGroupName(module, setting('ORDER_EVENTS_CONSUMER_GROUP'));
  const groups = blocksOfType(module, 'azurerm_eventhub_consumer_group').filter(([, { body }]) =>
    String(body.eventhub_name).includes(`azurerm_eventhub.${hub}.name`),
  );
  if (!groups.some(([, { body }]) => consumerGroupName(module, body.name) === wanted))
    problems.push(
      `${where}: azurerm_eventhub.${hub} has no consumer group named ${wanted ?? '?'} (ORDER_EVENTS_CONSUMER_GROUP), which the replication trigger reads with`,
    );
  problems.push(...replicationRuleProblems(module, hub, String(setting('REPLICATION_CONNECTION'))));
  return problems;
}

function replicationRuleProblems(
  module: TerraformModule,
  hub: string,
  reference: string,
): string[] {
  const where = module.name;
  const secretName = /secret_reference\["([\w-]+)"\]/.exec(reference)?.[1];
  const secrets = (module.locals.get('secrets')?.value ?? {}) as Record<string, unknown>;
  const rule = /azurerm_eventhub_authorization_rule\.(\w+)\.primary_connection_string/.exec(
    String(secretName ? secrets[secretName] : ''),
  )?.[1];
  const body = rule
    ? module.resources.get(`azurerm_eventhub_authorization_rule.${rule}`)?.body
    : undefined;
  if (!body)
    return [
      `${where}: REPLICATION_CONNECTION must be a Key Vault reference to the connection string of an azurerm_eventhub_authorization_rule`,
    ];
  const problems: string[] = [];
  if (!String(body.eventhub_name).includes(`azurerm_eventhub.${hub}.name`))
    problems.push(
      `${where}: azurerm_eventhub_authorization_rule.${rule} is not a rule of azurerm_eventhub.${hub}`,
    );
  if (body.send !== true || body.listen !== true || (body.manage ?? false) !== false)
    problems.push(
      `${where}: azurerm_eventhub_authorization_rule.${rule} must send and listen, never manage`,
    );
  return problems;
}

/** For tests: the statements a named function of aws-cell gets. */
export function statementsForFunction(module: TerraformModule, name: string): Statement[] {
  return functionStatements(module, functionsOf(module)[name] ?? {});
}
