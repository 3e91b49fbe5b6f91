/**
 * The part of oidc-provider's API the strict test server uses (the package ships no types and
 * @types/oidc-provider is not installed). Shapes from its lib/ sources, version 9.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextLike {
    path: string;
    method: string;
    status: number;
    body: unknown;
  }

  export interface ClientLike {
    grantTypeAllowed(grantType: string): boolean;
  }

  export interface InteractionLike {
    uid: string;
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    routes?: Record<string, string>;
    pkce?: { required?: (ctx: unknown, client: ClientLike) => boolean };
    features?: Record<string, { enabled: boolean }>;
    rotateRefreshToken?: (ctx: unknown) => boolean;
    issueRefreshToken?: (ctx: unknown, client: ClientLike, code: unknown) => Promise<boolean>;
    scopes?: string[];
    findAccount?: (ctx: unknown, sub: string) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> }>;
    interactions?: { url: (ctx: unknown, interaction: InteractionLike) => string };
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
  }

  export interface InteractionDetails {
    uid: string;
    params: Record<string, unknown>;
  }

  export interface GrantLike {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface AccessTokenLike {
    isExpired: boolean;
    destroy(): Promise<void>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    use(middleware: (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: new (properties: { accountId: string; clientId: string }) => GrantLike;
    AccessToken: { find(value: string): Promise<AccessTokenLike | undefined> };
  }
}
