import { describe, expect, it } from 'vitest';
import { createEventBus, type AnyIpcEvent } from './event-bus';

describe('createEventBus', () => {
  it('delivers to every subscriber even when one throws, and reports the failure', () => {
    const failures: unknown[] = [];
    const bus = createEventBus((error) => failures.push(error));
    const received: AnyIpcEvent[] = [];
    bus.subscribe(() => {
      throw new Error('window gone');
    });
    const off = bus.subscribe((message) => received.push(message));
    bus.emit('connection.changed', { id: 'c1', change: 'saved' });
    expect(received).toEqual([{ event: 'connection.changed', payload: { id: 'c1', change: 'saved' } }]);
    expect(failures).toHaveLength(1);
    off();
    bus.emit('connection.changed', { id: 'c2', change: 'saved' });
    expect(received).toHaveLength(1);
  });
});
