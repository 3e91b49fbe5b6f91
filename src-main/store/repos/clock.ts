/** Source of "now" for timestamps; injected so tests control time. */
export type Clock = () => Date;

export function isoNow(now: Clock): string {
  return now().toISOString();
}
