import { useEffect, useState } from 'react';
import type { ScheduleSettings, ScheduleView } from '../../src-shared/ipc';
import { useStores } from '../app/services';
import { messageOf, unwrap } from '../ipc/call';
import { nextRunWords } from '../ui/schedule-words';
import { StateMessage } from '../ui/StateMessage';

/** ISO weekdays as the contract stores them (1 = Monday … 7 = Sunday). */
const WEEKDAYS = [
  { day: 1, name: 'Monday' },
  { day: 2, name: 'Tuesday' },
  { day: 3, name: 'Wednesday' },
  { day: 4, name: 'Thursday' },
  { day: 5, name: 'Friday' },
  { day: 6, name: 'Saturday' },
  { day: 7, name: 'Sunday' },
] as const;
const WORKING_HOURS = { from: '07:00', to: '19:00', days: [1, 2, 3, 4, 5] };

/** The Settings screen's "Schedules" card: one form per background flow. */
export function ScheduleSettingsCard() {
  const { bridge } = useStores();
  const [schedules, setSchedules] = useState<ScheduleView[] | string | null>(null);

  useEffect(() => {
    let live = true;
    unwrap(bridge['schedules.get']()).then(
      (value) => live && setSchedules(value.schedules),
      (error: unknown) => live && setSchedules(messageOf(error)),
    );
    return () => {
      live = false;
    };
  }, [bridge]);

  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedules</h2>
      <p className="hint">
        Scheduled runs also space their polls so each API’s request budget lasts until it resets (Exact Online’s
        day, Procore’s hour). “Sync now” on the Dashboard always runs at once, paused or not.
      </p>
      {schedules === null ? (
        <StateMessage kind="loading" title="Loading schedules…" />
      ) : typeof schedules === 'string' ? (
        <StateMessage kind="error" title="Schedules could not be loaded">
          {schedules}
        </StateMessage>
      ) : (
        schedules.map((schedule) => <ScheduleForm key={schedule.flow} initial={schedule} />)
      )}
    </section>
  );
}

function ScheduleForm({ initial }: { initial: ScheduleView }) {
  const { bridge } = useStores();
  const [saved, setSaved] = useState(initial);
  const [everyMinutes, setEveryMinutes] = useState(String(initial.everyMinutes));
  const [hoursOn, setHoursOn] = useState(initial.activeHours !== null);
  const [hours, setHours] = useState(initial.activeHours ?? WORKING_HOURS);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'saved' | 'error'; text: string } | null>(null);
  const id = (field: string) => `schedule-${initial.flow}-${field}`;

  const save = async (paused: boolean) => {
    const settings: ScheduleSettings = {
      // Number('') is 0 and 'abc' is NaN: main answers both with the allowed range.
      everyMinutes: Number(everyMinutes),
      paused,
      activeHours: hoursOn ? hours : null,
    };
    setSaving(true);
    setNotice(null);
    try {
      const view = await unwrap(bridge['schedules.save']({ flow: initial.flow, ...settings }));
      setSaved(view);
      setNotice({ kind: 'saved', text: view.paused ? 'Saved. Scheduled runs are paused.' : 'Saved.' });
    } catch (error) {
      setNotice({ kind: 'error', text: messageOf(error) });
    } finally {
      setSaving(false);
    }
  };

  const toggleDay = (day: number, on: boolean) =>
    setHours((h) => ({ ...h, days: on ? [...h.days, day].sort((a, b) => a - b) : h.days.filter((d) => d !== day) }));

  return (
    <form
      aria-labelledby={id('title')}
      // Main's messages name the allowed range; the browser's own bubbles would hide them.
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save(saved.paused);
      }}
    >
      <h3 id={id('title')}>{initial.title}</h3>
      {/* The same words as the Dashboard's "Next run" (ui/schedule-words.ts). */}
      <p>Next run: {nextRunWords(saved)}</p>
      <label htmlFor={id('every')}>Run every (minutes)</label>
      <input
        id={id('every')}
        type="number"
        min={5}
        max={1440}
        step={1}
        value={everyMinutes}
        onChange={(event) => setEveryMinutes(event.target.value)}
      />
      <label>
        <input type="checkbox" checked={hoursOn} onChange={(event) => setHoursOn(event.target.checked)} /> Only run
        within active hours
      </label>
      {hoursOn && (
        <fieldset>
          <legend>Active hours (this computer’s time; a window with “from” after “to” runs past midnight)</legend>
          <label htmlFor={id('from')}>From</label>
          <input
            id={id('from')}
            type="time"
            value={hours.from}
            onChange={(event) => setHours((h) => ({ ...h, from: event.target.value }))}
          />
          <label htmlFor={id('to')}>To</label>
          <input
            id={id('to')}
            type="time"
            value={hours.to}
            onChange={(event) => setHours((h) => ({ ...h, to: event.target.value }))}
          />
          {WEEKDAYS.map(({ day, name }) => (
            <label key={day}>
              <input
                type="checkbox"
                checked={hours.days.includes(day)}
                onChange={(event) => toggleDay(day, event.target.checked)}
              />{' '}
              {name}
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={saving}>
        Save schedule
      </button>
      <button type="button" disabled={saving} onClick={() => void save(!saved.paused)}>
        {saved.paused ? 'Resume' : 'Pause'}
      </button>
      <p role={notice?.kind === 'error' ? 'alert' : 'status'} className="notice">
        {notice?.text ?? ''}
      </p>
    </form>
  );
}
