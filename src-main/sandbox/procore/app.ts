import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import type { ProcoreSimConfig } from './config';
import { isoSeconds, notFound, ProcoreHttpError, requireId } from './http';
import type { ProjectRecord } from './records';
import type { ProcoreState } from './state';
import type { Views } from './views';

/** What every route handler gets: the state, the views and the simulator's settings. */
export interface ProcoreApp {
  state: ProcoreState;
  views: Views;
  config: ProcoreSimConfig;
  store: SimStore;
  company: { id: number; name: string };
  /** ctx.clock as a Procore timestamp. */
  nowIso(): string;
}

export interface RouteCtx {
  req: SimRequest;
  params: Record<string, string>;
  version: 'v1.0' | 'v1.1';
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path after /rest/v1.x, with :name parameters, e.g. '/projects/:projectId/direct_costs'. */
  path: string;
  /** API versions serving this route (default v1.0 only). */
  versions?: readonly ('v1.0' | 'v1.1')[];
  /** List endpoints answer 404 without Procore-Company-Id (Part 3 #6, config switch). */
  list?: boolean;
  handle(ctx: RouteCtx): SimResponse;
}

export function makeNowIso(now: () => number): () => string {
  // Every write of a request stamps the same second: format it once per second.
  let second = NaN;
  let text = '';
  return () => {
    const ms = Math.trunc(now()); // what new Date(ms) keeps
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      text = isoSeconds(ms);
      second = s;
    }
    return text;
  };
}

/** The company_id of a company-scoped call (query or body) must be the app's company (§2.3). */
export function requireCompany(app: ProcoreApp, value: unknown): void {
  const id = requireId(value, 'company_id');
  if (id !== app.company.id) throw new ProcoreHttpError(403, 'App is not connected to this company');
}

/** The project of a project-scoped call; 404 when the company has no such project. */
export function requireProject(app: ProcoreApp, value: unknown): ProjectRecord {
  const id = requireId(value, 'project_id');
  const project = app.state.projects.get(id);
  if (!project) throw notFound(`Project ${id} not found`);
  return project;
}

/** A path id that must name an existing record (404 otherwise). */
export function pathId(ctx: RouteCtx, name: string): number {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw notFound();
  return Number(raw);
}
