import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { close, listen, readBody } from '../listen.js';
import { Reachability } from '../outage/reachability.js';
import { fromApiGatewayV2Result, toApiGatewayV2Event } from './api-gateway-event.js';
import { lambdaContext, type LambdaHandler } from './lambda-context.js';
import { RouteTable } from './route-table.js';

/** One Lambda function behind one or more HTTP API routes (`GET /carts/{id}`, `$default`). */
export interface LambdaRoute {
  routeKey: string;
  functionName: string;
  handler: LambdaHandler;
}

interface Deployment {
  version: string;
  routes: RouteTable<LambdaRoute>;
}

/**
 * A local API Gateway HTTP API (payload format 2.0) in front of Lambda handlers. A new
 * deployment replaces the routes in one step, like moving a Lambda alias: requests already
 * running finish on the version they started on.
 */
export class ApiGatewayHost {
  private readonly server: Server;
  private deployment: Deployment | undefined;
  private port = 0;
  /** Cut during a simulated outage of the cloud (`npm run outage`). */
  readonly reachability = new Reachability();

  constructor(private readonly options: { region: string; apiId?: string }) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
        console.error(`aws cell: ${(error as Error).message}`);
      });
    });
    this.reachability.attach(this.server);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get version(): string | undefined {
    return this.deployment?.version;
  }

  deploy(version: string, routes: LambdaRoute[]): void {
    this.deployment = {
      version,
      routes: new RouteTable(
        routes.map((route) => [route.routeKey, route] as [string, LambdaRoute]),
      ),
    };
  }

  /** Takes the cell off the air (a deployment in progress): every request gets a 503. */
  undeploy(): void {
    this.deployment = undefined;
  }

  async listen(port: number, hint: string): Promise<number> {
    this.port = await listen(this.server, port, 'AWS cell (API Gateway)', hint);
    return this.port;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const deployment = this.deployment;
    if (!deployment) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Service Unavailable' }));
      return;
    }
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const match = deployment.routes.match(req.method ?? 'GET', path);
    if (!match) {
      // What an HTTP API answers when no route matches.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const event = toApiGatewayV2Event(
      {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        httpVersion: req.httpVersion,
      },
      { routeKey: match.routeKey, pathParameters: match.pathParameters },
      { apiId: this.options.apiId ?? 'sandbox', accountId: '000000000000' },
    );
    const context = lambdaContext(
      match.target.functionName,
      deployment.version,
      this.options.region,
    );
    let result: unknown;
    try {
      result = await match.target.handler(event as never, context);
    } catch (error) {
      // An unhandled error in the function: API Gateway answers 500 and hides the details.
      console.error(`aws cell: ${match.target.functionName} failed: ${(error as Error).message}`);
      res.writeHead(500, {
        'content-type': 'application/json',
        'apigw-requestid': event.requestContext.requestId,
      });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
      return;
    }
    const response = fromApiGatewayV2Result(result);
    res.writeHead(response.statusCode, {
      ...response.headers,
      'apigw-requestid': event.requestContext.requestId,
    });
    res.end(response.body);
  }
}
