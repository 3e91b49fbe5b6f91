import type { Route } from './app';

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

/** First-match router over `Route` paths with :name segments. */
export class Router {
  private readonly compiled: CompiledRoute[] = [];

  constructor(routes: Route[]) {
    for (const route of routes) {
      const names: string[] = [];
      const pattern = route.path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.compiled.push({ route, regex: new RegExp(`^${pattern}/?$`), names });
    }
  }

  /** The route for a method + path, or 'method-not-allowed' when only the path is known. */
  match(
    method: string,
    path: string,
    version: 'v1.0' | 'v1.1',
  ): { route: Route; params: Record<string, string> } | 'method-not-allowed' | null {
    let pathKnown = false;
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m || !(c.route.versions ?? ['v1.0']).includes(version)) continue;
      pathKnown = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = m[i + 1] as string));
      return { route: c.route, params };
    }
    return pathKnown ? 'method-not-allowed' : null;
  }
}
