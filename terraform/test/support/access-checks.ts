// Static checks of who may reach a cell (issue 17, ADR 14): the JWT authorizer on every API
// Gateway route but GET /health, API Management's validate-jwt and per-client rate limit, the
// Function App reachable only from API Management, and the functions' roles scoped to the
// containers and secrets they use. checks-catch-broken-modules.test.ts feeds each a broken
// snippet, so a green run of modules.test.ts means something.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { block, blocksOfType, resolveValue, textWithLocals } from './static-checks.js';
import { asBodies, isBody, type Body, type TerraformModule } from './terraform-module.js';

/**
 * Routes that may be called without a token: what smoke tests and health probes call, and the
 * peer cell's replicas and lease renewals (ADR 23 and 25: the peer cell has no token; the
 * functions admit only a call signed with the peer key, ADR 17).
 */
const PUBLIC_ROUTES = ['GET /health', 'PUT /replicas/{proxy+}', 'POST /inventory-leases'];

/** The one condition validate-jwt may sit in: every call but those needs a token. */
const TOKENLESS_CALLS =
  /^@\(!\(context\.Request\.Method == "GET" && context\.Request\.Url\.Path == "\/health"\)( && !\(context\.Request\.Method == "PUT" && context\.Request\.Url\.Path\.StartsWith\("\/replicas\/"\)\))?( && !\(context\.Request\.Method == "POST" && context\.Request\.Url\.Path == "\/inventory-leases"\))?\)$/;

type Entry = { key: string; value: Record<string, unknown> };

/**
 * The value of an argument of a `for_each` resource for one entry, for the forms the cell
 * modules use: a literal, `each.key`, `each.value.<field>`, and `each.value.<field> == "x" ?
 * A : B` where A and B are a literal, `null`, a reference or a one-element list.
 */
function evaluateForEntry(value: unknown, entry: Entry): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\$\{([\s\S]*)\}$/.exec(value);
  if (!whole) return value;
  return expression((whole[1] ?? '').trim(), entry);
}

function expression(text: string, entry: Entry): unknown {
  const conditional =
    /^each\.value\.(\w+)\s*(==|!=)\s*"([^"]*)"\s*\?\s*([\s\S]+?)\s*:\s*([\s\S]+)$/.exec(text);
  if (conditional) {
    const [, field, operator, literal, yes, no] = conditional as unknown as string[];
    const equal = String(entry.value[field as string]) === literal;
    return expression(((operator === '==') === equal ? yes : no) as string, entry);
  }
  if (text === 'null') return null;
  if (text === 'each.key') return entry.key;
  const field = /^each\.value\.(\w+)$/.exec(text);
  if (field) return entry.value[field[1] as string];
  const literal = /^"([^"]*)"$/.exec(text);
  if (literal) return literal[1];
  const list = /^\[([\s\S]*)\]$/.exec(text);
  if (list) {
    const items = (list[1] ?? '').split(',').map((item) => item.trim());
    return items.filter((item) => item !== '').map((item) => expression(item, entry));
  }
  return `\${${text}}`;
}

/** The entries a resource is made for: its `for_each` local map, or itself once. */
function entriesOf(module: TerraformModule, body: Body): Entry[] {
  const forEach = /^\$\{local\.([\w-]+)\}$/.exec(String(body.for_each ?? ''));
  if (!forEach) return [{ key: '', value: {} }];
  const map = module.locals.get(forEach[1] as string)?.value;
  return isBody(map)
    ? Object.entries(map).map(([key, value]) => ({
        key,
        value: isBody(value) ? value : { value },
      }))
    : [];
}

/** Whether an expression reads `var.<name>`, directly or through the locals it names. */
function derivesFrom(module: TerraformModule, text: string, variable: string): boolean {
  return textWithLocals(module, text).includes(`var.${variable}`);
}

/**
 * API Gateway: a JWT authorizer on the cell's issuer and audience, and every route but the
 * public ones behind it; routes for admins also require the admin scope.
 */
export function httpApiRoutesRequireTokens(module: TerraformModule): string[] {
  const problems: string[] = [];
  const authorizers = new Set<string>();
  for (const [address, { body }] of blocksOfType(module, 'aws_apigatewayv2_authorizer')) {
    const jwt = block(body, 'jwt_configuration');
    const audiences = Array.isArray(jwt.audience) ? jwt.audience.map(String) : [];
    const sources = Array.isArray(body.identity_sources) ? body.identity_sources.map(String) : [];
    if (body.authorizer_type !== 'JWT') continue;
    if (!derivesFrom(module, String(jwt.issuer ?? ''), 'auth_issuer'))
      problems.push(`${module.name}: ${address} must trust the cell's issuer (var.auth_issuer)`);
    if (!audiences.some((audience) => derivesFrom(module, audience, 'auth_audience')))
      problems.push(
        `${module.name}: ${address} must require the cell's audience (var.auth_audience)`,
      );
    if (!sources.includes('$request.header.Authorization'))
      problems.push(`${module.name}: ${address} must read the token from the Authorization header`);
    authorizers.add(`\${${address}.id}`);
  }
  if (authorizers.size === 0) problems.push(`${module.name}: no JWT authorizer`);
  for (const [address, { body }] of blocksOfType(module, 'aws_apigatewayv2_route')) {
    for (const entry of entriesOf(module, body)) {
      const key = String(evaluateForEntry(body.route_key, entry));
      const type = evaluateForEntry(body.authorization_type, entry);
      const authorizer = evaluateForEntry(body.authorizer_id, entry);
      if (PUBLIC_ROUTES.includes(key)) continue;
      if (type !== 'JWT' || !authorizers.has(String(authorizer))) {
        problems.push(
          `${module.name}: ${address} "${key}" is open to anyone: it needs authorization_type = "JWT" and the JWT authorizer`,
        );
        continue;
      }
      const scopes = evaluateForEntry(body.authorization_scopes, entry);
      const scoped = Array.isArray(scopes) && scopes.includes('${var.auth_admin_scope}');
      if (entry.value.access === 'admin' && !scoped)
        problems.push(
          `${module.name}: ${address} "${key}" is for admins but does not require var.auth_admin_scope`,
        );
    }
  }
  return problems;
}

/** The API policy's XML, rendered with each template variable as `«expression»`. */
function renderedPolicy(
  module: TerraformModule,
  body: Body,
  readTemplate: (path: string) => string,
): string | undefined {
  const content = String(body.xml_content ?? '');
  const call = /^\$\{templatefile\("\$\{path\.module\}\/([^"]+)",\s*\{([\s\S]*)\}\)\}$/.exec(
    content,
  );
  if (!call) return content.includes('${') ? undefined : content;
  const variables = new Map<string, string>();
  for (const line of (call[2] ?? '').split('\n')) {
    const assignment = /^\s*(\w+)\s*=\s*(.+?)\s*$/.exec(line);
    if (assignment) variables.set(assignment[1] as string, assignment[2] as string);
  }
  return readTemplate(call[1] as string).replace(/\$\{(\w+)\}/g, (_, name: string) =>
    variables.has(name) ? `«${variables.get(name)}»` : `«missing ${name}»`,
  );
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: () => true,
});

type XmlNode = Record<string, unknown>;

/** Every element named `name` below `node`, with the `when` conditions it sits in. */
function elements(node: unknown, name: string, conditions: string[] = []): [XmlNode, string[]][] {
  if (Array.isArray(node)) return node.flatMap((item) => elements(item, name, conditions));
  if (!isBody(node)) return [];
  const found: [XmlNode, string[]][] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) continue;
    if (key === name) {
      // An element with only text parses to a string.
      for (const item of Array.isArray(value) ? value : [value])
        found.push([isBody(item) ? item : { '#text': item }, conditions]);
    }
    if (key === 'when')
      for (const when of asBodies(value))
        found.push(...elements(when, name, [...conditions, String(when['@condition'])]));
    else found.push(...elements(value, name, conditions));
  }
  return found;
}

function text(node: unknown): string {
  const first = Array.isArray(node) ? node[0] : node;
  if (isBody(first)) return String(first['#text'] ?? '');
  return String(first ?? '');
}

function defaultTemplateReader(module: TerraformModule): (path: string) => string {
  return (path) => readFileSync(join(module.dir ?? '.', path), 'utf8');
}

/**
 * API Management: every API has a policy whose inbound section validates the bearer token
 * against the cell's issuer (its OpenID configuration) and audience, for every call but
 * GET /health, and limits each token subject with rate-limit-by-key.
 */
export function apiManagementChecksTokens(
  module: TerraformModule,
  readTemplate = defaultTemplateReader(module),
): string[] {
  const problems: string[] = [];
  const policies = blocksOfType(module, 'azurerm_api_management_api_policy');
  for (const [api] of blocksOfType(module, 'azurerm_api_management_api')) {
    const policy = policies.find(([, { body }]) => String(body.api_name).includes(`${api}.name`));
    if (!policy) {
      problems.push(`${module.name}: ${api} has no azurerm_api_management_api_policy`);
      continue;
    }
    const xml = renderedPolicy(module, policy[1].body, readTemplate);
    if (xml === undefined) {
      problems.push(`${module.name}: ${policy[0]} xml_content cannot be read statically`);
      continue;
    }
    const inbound = elements(xmlParser.parse(xml), 'inbound')[0]?.[0];
    problems.push(...validateJwtProblems(module, policy[0], inbound));
    problems.push(...rateLimitProblems(module, policy[0], inbound, xml));
  }
  return problems;
}

function validateJwtProblems(module: TerraformModule, address: string, inbound: unknown): string[] {
  const where = `${module.name}: ${address}`;
  const found = elements(inbound, 'validate-jwt');
  if (found.length === 0) return [`${where} has no validate-jwt in its inbound section`];
  const problems: string[] = [];
  for (const [jwt, conditions] of found) {
    // A condition may exempt GET /health, PUT /replicas/... and POST /inventory-leases, nothing else.
    for (const condition of conditions)
      if (!TOKENLESS_CALLS.test(condition.replace(/\s+/g, ' ')))
        problems.push(
          `${where} checks tokens only when ${condition}: every route but GET /health, PUT /replicas/ and POST /inventory-leases must need one`,
        );
    const expect = (name: string, value: string) => {
      if (String(jwt[`@${name}`] ?? '').toLowerCase() !== value.toLowerCase())
        problems.push(`${where} validate-jwt must set ${name}="${value}"`);
    };
    expect('header-name', 'Authorization');
    expect('require-scheme', 'Bearer');
    expect('failed-validation-httpcode', '401');
    expect('require-signed-tokens', 'true');
    expect('require-expiration-time', 'true');
    const openid = String(elements(jwt, 'openid-config')[0]?.[0]['@url'] ?? '');
    const issuers = elements(jwt, 'issuer').map(([node]) => text(node));
    const audiences = elements(jwt, 'audience').map(([node]) => text(node));
    if (!derivesFrom(module, openid, 'auth_issuer'))
      problems.push(
        `${where} validate-jwt must read the keys from the cell issuer's openid-config`,
      );
    if (!issuers.some((issuer) => derivesFrom(module, issuer, 'auth_issuer')))
      problems.push(`${where} validate-jwt must require the cell's issuer (var.auth_issuer)`);
    if (!audiences.some((audience) => derivesFrom(module, audience, 'auth_audience')))
      problems.push(`${where} validate-jwt must require the cell's audience (var.auth_audience)`);
  }
  return problems;
}

/**
 * Two limits: one per token subject (on every call that has a token), and one per client
 * address before the token is read (so floods of bad tokens are bounded too), Front Door's
 * health probes left out. The address is X-Azure-SocketIP: API Management sits behind Front
 * Door (ADR 16), so context.Request.IpAddress is Front Door's, shared by every client.
 */
function rateLimitProblems(
  module: TerraformModule,
  address: string,
  inbound: unknown,
  xml: string,
): string[] {
  const where = `${module.name}: ${address}`;
  const limits = elements(inbound, 'rate-limit-by-key');
  const key = (limit: XmlNode) => String(limit['@counter-key'] ?? '');
  const problems: string[] = [];
  const perSubject = limits.some(
    ([limit, conditions]) =>
      /Jwt[\s\S]*\.Subject/.test(key(limit)) &&
      conditions.every((condition) =>
        /^@\(context\.Variables\.ContainsKey\("jwt"\)\)$/.test(condition),
      ),
  );
  if (!perSubject)
    problems.push(`${where} has no rate-limit-by-key counting each token subject, for every call`);
  const perAddress = limits.filter(
    ([limit, conditions]) =>
      /X-Azure-SocketIP/.test(key(limit)) &&
      conditions.every((condition) =>
        /^@\(!context\.Request\.Headers\.ContainsKey\("X-FD-HealthProbe"\)\)$/.test(condition),
      ),
  );
  if (perAddress.length === 0)
    problems.push(
      `${where} has no rate-limit-by-key per client address (X-Azure-SocketIP) for every call but Front Door's health probes`,
    );
  else if (
    xml.includes('<validate-jwt') &&
    xml.search(/<rate-limit-by-key[^>]*X-Azure-SocketIP/) > xml.indexOf('<validate-jwt')
  )
    problems.push(
      `${where} limits each client address only after validate-jwt: bad tokens go unlimited`,
    );
  for (const [limit] of limits)
    if (/context\.Request\.IpAddress/.test(key(limit)) && !/X-Azure-SocketIP/.test(key(limit)))
      problems.push(
        `${where} counts by context.Request.IpAddress, which behind Front Door is Front Door's own address: key on X-Azure-SocketIP`,
      );
  return problems;
}

/** API Gateway: every route of each stage carries its own throttle (HTTP APIs have no per-client limit). */
export function httpApiRoutesThrottled(module: TerraformModule): string[] {
  const problems: string[] = [];
  const routed = blocksOfType(module, 'aws_apigatewayv2_route').map(([, { body }]) =>
    String(body.for_each ?? body.route_key),
  );
  for (const [address, { body }] of blocksOfType(module, 'aws_apigatewayv2_stage')) {
    const dynamic = isBody(body.dynamic) ? asBodies(body.dynamic.route_settings) : [];
    const covered = dynamic
      .filter((settings) => {
        const content = asBodies(settings.content)[0] ?? {};
        return (
          content.throttling_rate_limit !== undefined &&
          content.throttling_burst_limit !== undefined
        );
      })
      .map((settings) => String(settings.for_each));
    for (const route of routed)
      if (!covered.includes(route))
        problems.push(
          `${module.name}: ${address} has no per-route throttle for the routes of ${route}`,
        );
  }
  return problems;
}

/** The classic tiers: the only ones with public IP addresses of their own and rate-limit-by-key. */
const classicApiManagementTier = /^(Developer|Basic|Standard|Premium)_\d+$/;

/**
 * Function Apps accept only API Management: the default action denies, and the only allow
 * rules are API Management's own addresses; that instance is of a tier that has them.
 */
export function functionAppsOnlyFromApiManagement(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const type of ['azurerm_function_app_flex_consumption', 'azurerm_linux_function_app']) {
    for (const [address, { body }] of blocksOfType(module, type)) {
      const site = block(body, 'site_config');
      if (site.ip_restriction_default_action !== 'Deny')
        problems.push(
          `${module.name}: ${address} must deny by default (ip_restriction_default_action = "Deny")`,
        );
      const dynamic = isBody(site.dynamic) ? asBodies(site.dynamic.ip_restriction) : [];
      const rules = [
        ...asBodies(site.ip_restriction).map((rule) => ({ rule, source: String(rule.ip_address) })),
        ...dynamic.map((rule) => ({
          rule: asBodies(rule.content)[0] ?? {},
          source: String(rule.for_each),
        })),
      ];
      const fromApim = (source: string) =>
        /azurerm_api_management\.\w+\.public_ip_addresses/.test(source);
      for (const { rule, source } of rules)
        if ((rule.action ?? 'Allow') === 'Allow' && !fromApim(source))
          problems.push(`${module.name}: ${address} allows ${source}, which is not API Management`);
      if (!rules.some(({ source }) => fromApim(source)))
        problems.push(`${module.name}: ${address} has no rule that lets API Management in`);
    }
  }
  for (const [address, { body }] of blocksOfType(module, 'azurerm_api_management')) {
    const sku = String(resolveValue(module, body.sku_name) ?? body.sku_name);
    if (!classicApiManagementTier.test(sku))
      problems.push(
        `${module.name}: ${address} tier ${sku} has no IP addresses of its own to restrict to, nor rate-limit-by-key`,
      );
  }
  return problems;
}

/** Roles too broad for the functions' identities anywhere. */
const broadRoles = new Set([
  'Owner',
  'Contributor',
  'Storage Blob Data Owner',
  'Storage Account Contributor',
  'Key Vault Administrator',
  'Key Vault Secrets Officer',
]);

/**
 * The functions' identities hold data roles on the containers and secrets they use, never on
 * an account, a vault or a group; the accounts they reach take no keys; the container of the
 * deployment package is not theirs; and no app setting holds a key in clear.
 */
export function functionRolesScoped(module: TerraformModule): string[] {
  const problems: string[] = [];
  const isFunctionIdentity = (principal: string) =>
    /azurerm_user_assigned_identity\.\w+\.principal_id|azurerm_(function_app_flex_consumption|linux_function_app)\.\w+\.identity/.test(
      principal,
    );
  const packageContainers = blocksOfType(module, 'azurerm_function_app_flex_consumption').map(
    ([, { body }]) => String(body.storage_container_endpoint ?? ''),
  );
  for (const [address, { body }] of blocksOfType(module, 'azurerm_role_assignment')) {
    if (!isFunctionIdentity(String(body.principal_id))) continue;
    // `for_each = azurerm_storage_container.data` with `scope = each.value.id`: the containers.
    const forEach = /^\$\{(.+)\}$/.exec(String(body.for_each ?? ''))?.[1];
    const scope = forEach
      ? String(body.scope).replace(/each\.value/g, forEach)
      : String(body.scope);
    const role = String(body.role_definition_name);
    const container = /azurerm_storage_container\.(\w+)/.exec(scope)?.[1];
    if (broadRoles.has(role))
      problems.push(`${module.name}: ${address} gives the functions ${role}`);
    if (!container && !/\/secrets\//.test(scope))
      problems.push(
        `${module.name}: ${address} is scoped to ${scope}: scope it to one container or one secret`,
      );
    if (
      container &&
      packageContainers.some((endpoint) =>
        endpoint.includes(`azurerm_storage_container.${container}.`),
      )
    )
      problems.push(
        `${module.name}: ${address} lets the functions write their own deployment package`,
      );
    if (container) problems.push(...keylessAccount(module, container));
  }
  const settings = JSON.stringify(module.locals.get('app_settings')?.value ?? '');
  for (const secret of [
    'primary_connection_string',
    'primary_access_key',
    'primary_key',
    'connection_string',
  ])
    if (settings.includes(`.${secret}`))
      problems.push(
        `${module.name}: app_settings holds a ${secret} in clear: use a Key Vault reference or an identity`,
      );
  return problems;
}

function keylessAccount(module: TerraformModule, container: string): string[] {
  const body = module.resources.get(`azurerm_storage_container.${container}`)?.body;
  const account = /azurerm_storage_account\.(\w+)/.exec(
    String(body?.storage_account_id ?? ''),
  )?.[1];
  const accountBody = account
    ? module.resources.get(`azurerm_storage_account.${account}`)?.body
    : undefined;
  return accountBody?.shared_access_key_enabled === false
    ? []
    : [
        `${module.name}: azurerm_storage_account.${account ?? '?'} holds the functions' data but takes shared keys`,
      ];
}

/**
 * Key Vault Secrets User is granted on one secret at a time, never on a vault or a group: a Key
 * Vault role takes no condition to leave a secret out (Azure ABAC covers Blob and Queue data
 * actions only, https://learn.microsoft.com/azure/role-based-access-control/conditions-format),
 * and the cell's group holds the peer key's vault beside the cell's own (ADR 17).
 */
export function secretsReadPerSecret(module: TerraformModule): string[] {
  return blocksOfType(module, 'azurerm_role_assignment')
    .filter(([, { body }]) => body.role_definition_name === 'Key Vault Secrets User')
    .filter(([, { body }]) => !/\/secrets\/(\$\{[^}]+\}|[\w-]+)$/.test(String(body.scope)))
    .map(
      ([address, { body }]) =>
        `${module.name}: ${address} grants Key Vault Secrets User on ${String(body.scope)}: grant it on one secret (<vault id>/secrets/<name>)`,
    );
}
