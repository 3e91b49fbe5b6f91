import { pathId, requireCompany, type ProcoreApp, type Route } from '../app';
import { badRequest, json, notFound } from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { ProjectRecord } from '../records';

const FILTERS: FilterDefs<ProjectRecord> = {
  ...commonFilters<ProjectRecord>(),
  by_status: {
    kind: 'custom',
    test: (values, param) => {
      const status = values[0];
      if (status === 'All') return () => true;
      if (status === 'Active') return (p) => p.active;
      if (status === 'Inactive') return (p) => !p.active;
      throw badRequest({ [param]: ['must be Active, Inactive or All'] });
    },
  },
  name: { kind: 'search', get: (p) => [p.name] },
};

/** §2.5 Projects: `GET /projects?company_id=` (v1.0 and v1.1), `/companies/{id}/projects`, show. */
export function projectRoutes(app: ProcoreApp): Route[] {
  const list = (
    companyId: unknown,
    req: Parameters<Route['handle']>[0]['req'],
  ): ReturnType<Route['handle']> => {
    requireCompany(app, companyId);
    return listResponse(req, app.state.projects.all(), FILTERS, (p) => app.views.project(p), app.config);
  };
  return [
    {
      method: 'GET',
      path: '/projects',
      versions: ['v1.0', 'v1.1'],
      list: true,
      handle: (ctx) => list(ctx.req.query.get('company_id'), ctx.req),
    },
    {
      method: 'GET',
      path: '/companies/:companyId/projects',
      list: true,
      handle: (ctx) => list(ctx.params['companyId'], ctx.req),
    },
    {
      method: 'GET',
      path: '/projects/:id',
      versions: ['v1.0', 'v1.1'],
      handle: (ctx) => {
        requireCompany(app, ctx.req.query.get('company_id'));
        const project = app.state.projects.get(pathId(ctx, 'id'));
        if (!project) throw notFound();
        return json(200, app.views.project(project));
      },
    },
  ];
}
