import { fetch } from 'undici';

/**
 * Someone working in Procore itself (not through ml-connector): adds a company vendor through
 * the Procore simulator's REST API. undici's fetch, so it also works under happy-dom, which
 * replaces the global one.
 */
export interface ProcoreSandboxAccess {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  companyId: string | number;
}

async function answer(
  res: Awaited<ReturnType<typeof fetch>>,
  what: string,
): Promise<Record<string, unknown>> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${body.slice(0, 300)}`);
  return JSON.parse(body) as Record<string, unknown>;
}

export async function addProcoreVendor(
  procore: ProcoreSandboxAccess,
  vendor: { name: string; origin_code?: string; origin_id?: string },
): Promise<{ id: string; name: string }> {
  const token = await answer(
    await fetch(`${procore.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: procore.clientId,
        client_secret: procore.clientSecret,
      }).toString(),
    }),
    'Procore sign-in',
  );
  const created = await answer(
    await fetch(`${procore.baseUrl}/rest/v1.0/vendors`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(token['access_token'])}`,
        'procore-company-id': String(procore.companyId),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ company_id: Number(procore.companyId), vendor }),
    }),
    'Procore vendor create',
  );
  return { id: String(created['id']), name: String(created['name']) };
}
