/**
 * Business hours for scheduled runs, e.g. {from:'07:00', to:'19:00', days:[1,2,3,4,5]} (days as
 * JavaScript's getDay(): 0 = Sunday). A window with from > to spans midnight (quiet hours
 * 19:00–07:00 are the window {from:'07:00', to:'19:00'}; a night shift is {from:'22:00', to:'06:00'}).
 */
export interface ActiveHours {
  from: string;
  to: string;
  /** Days the window starts on; default every day. */
  days?: readonly number[];
}

export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  day: number;
  minuteOfDay: number;
}

export type LocalTimeOf = (epochMs: number) => LocalTime;

export const localTimeOfSystem: LocalTimeOf = (epochMs) => {
  const d = new Date(epochMs);
  return { day: d.getDay(), minuteOfDay: d.getHours() * 60 + d.getMinutes() };
};

/** Local time at a fixed offset from UTC (tests, servers configured for one zone). */
export function fixedOffsetLocalTime(offsetMinutes: number): LocalTimeOf {
  return (epochMs) => {
    const d = new Date(epochMs + offsetMinutes * 60_000);
    return { day: d.getUTCDay(), minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes() };
  };
}

interface ParsedHours {
  from: number;
  to: number;
  days: ReadonlySet<number>;
}

function minuteOf(text: string, field: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new RangeError(`activeHours.${field} must be a time like "07:00" (24-hour HH:MM), got "${text}".`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function parseActiveHours(hours: ActiveHours): ParsedHours {
  const from = minuteOf(hours.from, 'from');
  const to = minuteOf(hours.to, 'to');
  if (from === to) throw new RangeError(`activeHours from and to are both "${hours.from}"; give a window of at least one minute.`);
  const days = hours.days ?? [0, 1, 2, 3, 4, 5, 6];
  for (const day of days)
    if (!Number.isInteger(day) || day < 0 || day > 6) throw new RangeError(`activeHours.days must be 0 (Sunday) to 6 (Saturday), got ${day}.`);
  if (days.length === 0) throw new RangeError('activeHours.days is empty: scheduled runs would never happen.');
  return { from, to, days: new Set(days) };
}

export function isActiveAt(hours: ActiveHours, epochMs: number, localTimeOf: LocalTimeOf): boolean {
  const { from, to, days } = parseActiveHours(hours);
  const { day, minuteOfDay } = localTimeOf(epochMs);
  if (from < to) return days.has(day) && minuteOfDay >= from && minuteOfDay < to;
  // Spans midnight: the evening part belongs to today's window, the morning part to yesterday's.
  return (days.has(day) && minuteOfDay >= from) || (days.has((day + 6) % 7) && minuteOfDay < to);
}

const MINUTE = 60_000;
const WEEK_MINUTES = 7 * 24 * 60;

/** The first instant at or after `epochMs` inside the active hours (at most a week ahead). */
export function activeTimeAtOrAfter(hours: ActiveHours, epochMs: number, localTimeOf: LocalTimeOf): number {
  if (isActiveAt(hours, epochMs, localTimeOf)) return epochMs;
  // Windows open on whole minutes (time zone offsets are whole minutes too).
  let t = Math.floor(epochMs / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i <= WEEK_MINUTES; i++, t += MINUTE) if (isActiveAt(hours, t, localTimeOf)) return t;
  throw new Error('activeHours never opens within a week.'); // unreachable after parseActiveHours
}
