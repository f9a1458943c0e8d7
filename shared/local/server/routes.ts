/**
 * The route table of local mode. On AWS each route is a function URL; here one server dispatches
 * `METHOD /path` to the same handlers. Paths may hold `{name}` segments (`/v1/search/{id}`); the
 * matched values are passed as the event's `pathParameters` (function URLs carry none, so a
 * handler that must also run on AWS reads `rawPath`).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { decodePathSegment } from '../../http/path.js';
import type { LocalRuntime } from '../runtime/runtime.js';

export type RouteHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** e.g. `/v1/search/{id}` */
  path: string;
  /** Lambda function name used for the handler's context and logs, e.g. `search`. */
  functionName: string;
  handler: RouteHandler;
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export class RouteTable {
  private readonly routes: CompiledRoute[] = [];

  /** Registers a route; a second route for the same method and path is a programming error. */
  add(route: Route): this {
    if (this.routes.some((r) => r.route.method === route.method && r.route.path === route.path)) {
      throw new Error(`route ${route.method} ${route.path} is already registered`);
    }
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((part) => {
        const param = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
        if (!param?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ route, pattern: new RegExp(`^${source}/?$`), names });
    return this;
  }

  match(method: string, path: string): RouteMatch | null {
    for (const { route, pattern, names } of this.routes) {
      if (route.method !== method.toUpperCase()) continue;
      const found = pattern.exec(path);
      if (!found) continue;
      const pathParameters: Record<string, string> = {};
      names.forEach((name, i) => {
        // A segment that does not percent-decode is left out: the handler answers it as a name
        // it does not know (after its token check, as on AWS, where handlers read rawPath).
        const value = decodePathSegment(found[i + 1] ?? '');
        if (value !== null) pathParameters[name] = value;
      });
      return { route, pathParameters };
    }
    return null;
  }

  list(): readonly Route[] {
    return this.routes.map((r) => r.route);
  }
}

/**
 * What a part of the product plugs into local mode: it adds its routes to the table with the
 * runtime's adapters at hand. The plugins served are listed in route-plugins.ts.
 */
export type RoutePlugin = (routes: RouteTable, runtime: LocalRuntime) => void;
