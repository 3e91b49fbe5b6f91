import type { ProcoreApp, Route } from '../app';
import { json } from '../http';

/** `GET /companies` and `GET /me`: what a DMSA connection test calls first (§2.3: header required too). */
export function companyRoutes(app: ProcoreApp): Route[] {
  return [
    {
      method: 'GET',
      path: '/companies',
      versions: ['v1.0', 'v1.1'],
      handle: () => json(200, [{ id: app.company.id, name: app.company.name, is_active: true }]),
    },
    {
      method: 'GET',
      path: '/me',
      handle: () =>
        json(200, {
          id: app.company.id + 1,
          login: 'ml-connector-dmsa@sandbox.invalid',
          name: 'ml-connector service account',
        }),
    },
  ];
}
