/**
 * A Coupa API error (fact sheet §3.7): JSON bodies group messages by object,
 * `{"errors": {"<object>": ["message", …]}}`.
 */
export class CoupaError extends Error {
  constructor(
    readonly status: number,
    readonly object: string,
    readonly messages: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.join('; '));
    this.name = 'CoupaError';
  }

  body(): { errors: Record<string, string[]> } {
    return { errors: { [this.object]: this.messages } };
  }
}
