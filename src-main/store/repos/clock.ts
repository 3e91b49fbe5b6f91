/** Source of "now" for timestamps; injected so tests control time. */
export type Clock = () => Date;

/** The last time formatted: a page of records is mostly written within the same millisecond. */
let lastFormattedTime = Number.NaN;
let lastFormattedText = '';

export function isoNow(now: Clock): string {
  const date = now();
  const time = date.getTime();
  if (time !== lastFormattedTime) {
    lastFormattedText = date.toISOString();
    lastFormattedTime = time;
  }
  return lastFormattedText;
}
