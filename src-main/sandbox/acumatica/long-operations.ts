import type { SimResponse } from '../_common/sim-server';
import { acumaticaError } from './errors';

/**
 * How an action answers (OpenAPI `InvokeAction_202` / `InvokeAction_204`, fact sheet 1.7):
 *   202 Accepted + `Location: /entity/Default/{v}/{Entity}/{Action}/status/{id}` — the operation
 *       runs; GET that URL answers 202 while it runs, 204 (+ `Location` of the processed record)
 *       once done, 500 with the error if it failed, 404 "Process Not Found" from another
 *       session (a long operation belongs to the session that started it);
 *   204 No Content + `Location: /entity/Default/{v}/{Entity}/{id}` — done at once.
 * `actionCompletion` picks which: 'polled' (every action 202), 'immediate' (every action 204) or
 * 'alternate' (202, 204, 202, …) so one connector run meets both. A polled operation's effect
 * lands when it completes: after `actionPendingPolls` status polls, or once `actionDurationMs`
 * of simulator time has passed (any later request settles it), whichever comes first.
 * Operations live in memory: a restarted simulator has forgotten them (404 on poll), like a
 * restarted server.
 */
export type ActionCompletion = 'polled' | 'immediate' | 'alternate';
export const ACTION_COMPLETIONS: readonly ActionCompletion[] = ['polled', 'immediate', 'alternate'];

export interface OperationSettings {
  completion: ActionCompletion;
  pendingPolls: number;
  durationMs: number;
}

/** What running an action produced: the processed record's URL, or the failure message. */
export type OperationOutcome = { ok: true; location: string } | { ok: false; message: string };

interface Operation {
  id: string;
  sessionKey: string;
  statusPath: string;
  startedAt: number;
  pollsLeft: number;
  execute: () => OperationOutcome;
  outcome?: OperationOutcome;
}

/** Completed operations kept for late polls (oldest forgotten first). */
const KEEP = 1000;

export class LongOperations {
  private readonly operations = new Map<string, Operation>();
  private invocations = 0;

  constructor(
    private readonly settings: OperationSettings,
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {}

  /** POST /{Entity}/{Action}: runs `execute` now (204) or later (202). `base` = `/entity/Default/{v}/{Entity}`. */
  start(sessionKey: string, base: string, action: string, execute: () => OperationOutcome): SimResponse {
    this.invocations += 1;
    const polled =
      this.settings.completion === 'polled' ||
      (this.settings.completion === 'alternate' && this.invocations % 2 === 1);
    if (!polled) return answer(execute());
    const id = this.newId();
    const statusPath = `${base}/${action}/status/${id}`;
    this.operations.set(id, {
      id,
      sessionKey,
      statusPath,
      startedAt: this.now(),
      pollsLeft: this.settings.pendingPolls,
      execute,
    });
    this.forgetOldest();
    return { status: 202, headers: { location: statusPath } };
  }

  /** GET /{Entity}/{Action}/status/{id}. */
  status(sessionKey: string, id: string): SimResponse {
    const op = this.operations.get(id);
    if (!op || op.sessionKey !== sessionKey) {
      return {
        status: 404,
        body: {
          message: 'Process Not Found. The operation does not exist or was started in another session.',
        },
      };
    }
    if (!op.outcome) {
      if (op.pollsLeft > 0 && !this.isDue(op)) {
        op.pollsLeft -= 1;
        return { status: 202, headers: { location: op.statusPath } };
      }
      op.outcome = op.execute();
    }
    return answer(op.outcome);
  }

  /** Completes every running operation whose time is up (called before each entity request). */
  settleDue(): void {
    for (const op of this.operations.values()) if (!op.outcome && this.isDue(op)) op.outcome = op.execute();
  }

  private isDue(op: Operation): boolean {
    return this.now() - op.startedAt >= this.settings.durationMs;
  }

  private forgetOldest(): void {
    while (this.operations.size > KEEP) {
      const oldest = this.operations.keys().next().value;
      if (oldest === undefined) return;
      this.operations.delete(oldest);
    }
  }
}

function answer(outcome: OperationOutcome): SimResponse {
  if (outcome.ok) return { status: 204, headers: { location: outcome.location } };
  return acumaticaError(500, outcome.message);
}
