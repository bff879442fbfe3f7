import { describe, expect, it } from 'vitest';
import { eventDelay, retentionMs, retryTiming, type Timed } from './delay.ts';

const CREATED = '2026-03-15T18:35:01.100Z';
const AT = Date.UTC(2026, 2, 15, 18, 35, 1, 100);
const MIN = 60_000;
const DAY = 86_400_000;

/** A capture received `after` ms after CREATED; by default unsigned, no attempt headers. */
function timed(after: number, over: Partial<Timed> = {}): Timed {
  return {
    event_created_at: CREATED,
    received_at_ms: AT + after,
    attempts: { made: null, left: null, first_attempted_at: null },
    signature: { status: 'unchecked', stale: false, timestamp: null },
    source: 'captured',
    ...over,
  };
}

/** Signed validly by someone holding the secret, at the moment of arrival. */
const signedNow = (after: number): Timed['signature'] => ({
  status: 'valid',
  stale: false,
  timestamp: Math.floor((AT + after) / 1000),
});

describe('eventDelay', () => {
  it('says what was measured, and nothing more for a prompt delivery', () => {
    const d = eventDelay(timed(1400));
    expect(d.text).toBe(
      "received 1.4 s after the event was created (this machine's clock at arrival minus the event's created-at)",
    );
    expect(d).toMatchObject({ causes: [], warn: false, ms: 1400 });
  });

  it('lists the causes that fit a long delay', () => {
    const d = eventDelay(timed(3 * 60 * MIN));
    expect(d.warn).toBe(false);
    expect(d.causes.join('\n')).toMatch(/automatic retries/);
    expect(d.causes.join('\n')).toMatch(/retry by hand from Persona's dashboard/);
    expect(d.causes.join('\n')).toMatch(/old request sent again/);
    expect(d.causes.join('\n')).toMatch(/wrong clock on this machine/);
  });

  it('drops the causes a valid, fresh signature rules out', () => {
    const d = eventDelay(timed(3 * 60 * MIN, { signature: signedNow(3 * 60 * MIN) }));
    const causes = d.causes.join('\n');
    expect(causes).not.toMatch(/wrong clock/);
    expect(causes).not.toMatch(/old request/);
    expect(causes).toMatch(/automatic retries/);
    // Signed but stale: the request may be an old one, and the clocks are not checked.
    const stale = eventDelay(timed(3 * 60 * MIN, { signature: { ...signedNow(0), stale: true } })).causes.join('\n');
    expect(stale).toMatch(/old request/);
    expect(stale).toMatch(/wrong clock/);
  });

  it('past the retry schedule, names the dashboard retry only while Persona keeps the event', () => {
    const week = eventDelay(timed(7 * DAY, { signature: signedNow(7 * DAY) }));
    expect(week.warn).toBe(true);
    expect(week.causes).toHaveLength(1);
    expect(week.causes[0]).toMatch(/retry by hand from Persona's dashboard.*30 days/);
    const past = eventDelay(timed(40 * DAY, { signature: signedNow(40 * DAY) }));
    expect(past.causes).toEqual([]);
    expect(past.warn).toBe(true);
    // An event created before February 3, 2026 is kept 90 days.
    expect(retentionMs(Date.UTC(2026, 0, 10))).toBe(90 * DAY);
    expect(retentionMs(AT)).toBe(30 * DAY);
  });

  it("says an imported capture's arrival time is the file's", () => {
    const d = eventDelay(timed(400 * DAY, { source: 'imported' }));
    expect(d.text).toMatch(/the arrival time the imported file gives/);
    expect(d.causes.join('\n')).toMatch(/an imported capture/);
    expect(d.causes.join('\n')).not.toMatch(/dashboard|automatic retries/);
  });

  it('when the first attempt itself came late, says so from First-Attempted-At, and not retries', () => {
    const after = 2 * 60 * MIN + 5_000;
    const d = eventDelay(
      timed(after, {
        attempts: { made: 1, left: 7, first_attempted_at: Math.floor((AT + after) / 1000) },
        signature: signedNow(after),
      }),
    );
    expect(d.causes).toEqual([
      "Persona's first attempt came 2 h after the event was created (its Persona-Webhook-First-Attempted-At)",
    ]);
  });

  it('calls a small negative delay skew, and checks a large one against the signature', () => {
    const small = eventDelay(timed(-300));
    expect(small.warn).toBe(true);
    expect(small.text).toMatch(/^received 300 ms before the event was created/);
    expect(small.causes).toEqual(['two clocks that differ by a few seconds']);
    const unsigned = eventDelay(timed(-3 * 60 * MIN));
    expect(unsigned.causes.join('\n')).toMatch(/this machine's clock/);
    const signed = eventDelay(timed(-3 * 60 * MIN, { signature: signedNow(-3 * 60 * MIN) }));
    expect(signed.causes).toEqual([
      "a wrong time in the event's created-at: this machine's clock agrees with the signature's time",
    ]);
  });

  it('explains absent, unreadable and nonsense times', () => {
    expect(eventDelay(timed(0, { event_created_at: null })).text).toMatch(/no created-at/);
    expect(eventDelay(timed(0, { event_created_at: '' })).text).toMatch(/no created-at/);
    expect(eventDelay(timed(0, { event_created_at: 'soon' })).text).toMatch(/"soon" is not an RFC 3339 time/);
    expect(eventDelay({ ...timed(0), received_at_ms: Number.NaN }).text).toMatch(/arrival time is unknown/);
    expect(eventDelay({ ...timed(0), received_at_ms: 0 }).ms).toBeNull();
  });
});

describe('retry schedule', () => {
  it('states the measured time since the first attempt and which scheduled attempt it fits', () => {
    const first = 1_773_599_701;
    const attempts = { made: 3, left: 5, first_attempted_at: first };
    expect(retryTiming(attempts, (first + 70) * 1000)).toBe(
      "Arrived 1 min 10 s after Persona's first attempt (its Persona-Webhook-First-Attempted-At): that fits attempt 3, about 1 min 7 s after the first on Persona's retry schedule.",
    );
    expect(retryTiming(attempts, (first + 1) * 1000)).toMatch(/fits the first attempt itself/);
    expect(retryTiming(attempts, (first + 3 * 3600) * 1000)).toMatch(
      /between the attempts of Persona's retry schedule; a retry by hand/,
    );
    expect(retryTiming(attempts, (first + 5 * 86_400) * 1000)).toMatch(/later than Persona's last automatic attempt/);
  });

  it('needs First-Attempted-At, and names a clock that disagrees', () => {
    expect(retryTiming({ made: 1, left: 7, first_attempted_at: null }, 0)).toBeNull();
    const first = 1_773_599_701;
    expect(retryTiming({ made: 1, left: 7, first_attempted_at: first }, (first - 60) * 1000)).toMatch(
      /one of the two clocks is wrong/,
    );
  });
});
