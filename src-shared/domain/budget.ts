/**
 * The request-budget window a connection's polls are spaced by (Exact Online: 5,000 per day;
 * Procore: its hourly limit). One list, and one way to say it, for the scheduler, the CLI and
 * the Dashboard, so figures for an hour are never called "today".
 */
export const BUDGET_WINDOWS = ['hourly', 'daily'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

/** "calls used today" / "calls used this hour". */
export const BUDGET_WINDOW_WORDS: Readonly<Record<BudgetWindow, string>> = {
  hourly: 'this hour',
  daily: 'today',
};
