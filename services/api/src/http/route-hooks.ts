/**
 * Hooks for chosen routes only, attached from outside the route files: a hook added to a whole
 * scope runs (and costs) on every request of the scope, including the hot polling routes that
 * have nothing to do with it.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'preHandler' | 'onSend';

/**
 * Adds `hook` to every route registered later in this scope that `match` accepts, by method and
 * URL or by the route's own options (its `config`).
 */
export function addRouteHook(
  app: FastifyInstance,
  name: HookName,
  match: (method: string, url: string, route: RouteOptions) => boolean,
  hook: NonNullable<RouteOptions[HookName]>,
): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => match(method, route.url, route))) return;
    const existing = route[name] as unknown;
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    (route as Record<HookName, unknown>)[name] = [...list, hook];
  });
}
