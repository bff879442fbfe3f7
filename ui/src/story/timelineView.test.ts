import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Timeline } from '../bindings.ts';
import { storyTimeline } from './fixtures.ts';
import { TimelineBody, TimelineTab } from './TimelineTab.tsx';
import { emptyText, lanePosition, ordinal, overtaken, overtakenText, timelineView } from './timelineView.ts';

describe('ordinal', () => {
  it('names ranks as read aloud', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });
});

describe('lanePosition', () => {
  it('runs from the first arrival (0) to the last (1)', () => {
    expect(lanePosition(1, 6)).toBe(0);
    expect(lanePosition(6, 6)).toBe(1);
    expect(lanePosition(3, 5)).toBe(0.5);
  });

  it('puts a lone row in the middle and keeps odd ranks on the lane', () => {
    expect(lanePosition(1, 1)).toBe(0.5);
    expect(lanePosition(9, 3)).toBe(1);
    expect(lanePosition(0, 3)).toBe(0);
  });
});

describe('overtaken', () => {
  it('counts the events created later that arrived first', () => {
    // Ranks 1, 2, 4, 5, 3, 6: the approval (created at 30 s, 3rd) overtook both completions.
    expect(overtaken(storyTimeline().entries)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('compares created-at as instants and leaves out entries without a usable one', () => {
    const t = storyTimeline();
    const [a, b, c] = t.entries;
    if (a === undefined || b === undefined || c === undefined) throw new Error('fixture');
    const entries = [
      { ...a, event_created_at: '2026-05-01T12:00:00+02:00', arrival_rank: 2 }, // 10:00 UTC
      { ...b, event_created_at: '2026-05-01T10:00:05Z', arrival_rank: 1 },
      { ...c, event_created_at: 'yesterday', arrival_rank: 3 },
    ];
    expect(overtaken(entries)).toEqual([1, 0, 0]);
  });
});

describe('timelineView', () => {
  it('keeps created-at order, with each rank, lane position and flag from the timeline', () => {
    const view = timelineView(storyTimeline(), 5);
    expect(view.rows.map((r) => r.deliveryId)).toEqual([1, 2, 4, 5, 3, 6]);
    expect(view.rows.map((r) => r.rankText)).toEqual(['1st', '2nd', '4th', '5th', '3rd', '6th']);
    expect(view.rows.map((r) => r.lane)).toEqual([0, 0.2, 0.6, 0.8, 0.4, 1]);
    expect(view.rows.map((r) => r.flags.map((f) => f.label))).toEqual([
      [],
      [],
      ['out of order', 'status regression'],
      ['out of order', 'duplicate', 'status regression'],
      ['conflicting outcome'],
      ['conflicting outcome', 'status regression'],
    ]);
    expect(view.rows.map((r) => r.current)).toEqual([false, false, false, true, false, false]);
    expect(view.inOrder).toBe(false);
  });

  it("gives each flag Rust's sentence and a tone: a second outcome is the serious one", () => {
    const view = timelineView(storyTimeline(), null);
    const dup = view.rows[3]?.flags.find((f) => f.flag === 'duplicate');
    expect(dup).toEqual({ flag: 'duplicate', label: 'duplicate', tone: 'warn', why: 'Why duplicate.' });
    expect(view.legend.map((f) => [f.flag, f.tone, f.why, f.deliveryIds])).toEqual([
      ['out_of_order', 'warn', 'Why out of order.', [4, 5]],
      ['duplicate', 'warn', 'Why duplicate.', [5]],
      ['conflicting_outcome', 'bad', 'Why conflicting.', [3, 6]],
      ['status_regression', 'warn', 'Why regression.', [4, 5, 6]],
    ]);
  });

  it('shows times in UTC, and a created-at that is no time as sent', () => {
    const t = storyTimeline();
    const first = t.entries[0];
    if (first === undefined) throw new Error('fixture');
    t.entries = [{ ...first, event_created_at: 'soon' }, ...t.entries.slice(1)];
    const view = timelineView(t, null);
    expect(view.rows[0]?.created).toBe('soon');
    expect(view.rows[1]?.created).toBe('2026-05-01 10:00:10.000');
    expect(view.rows[1]?.received).toBe('2026-05-01 10:01:02.000 UTC');
  });

  it('lists mentions apart, with what they are about and where they name it', () => {
    const view = timelineView(storyTimeline(), 7);
    expect(view.mentions).toEqual([
      {
        deliveryId: 7,
        eventName: 'verification.passed',
        created: '2026-05-01 10:00:15.000 UTC',
        about: { type: 'verification/government-id', id: 'ver_story' },
        via: 'a relationship of its payload.data',
        current: true,
      },
    ]);
  });

  it('says a timeline arrived in order when no row was overtaken', () => {
    const t = storyTimeline();
    t.entries = t.entries.slice(0, 2);
    expect(timelineView(t, null).inOrder).toBe(true);
  });
});

describe('texts', () => {
  it('says how many later events overtook a row', () => {
    expect(overtakenText(0)).toBeNull();
    expect(overtakenText(1)).toBe('arrived after 1 event created later');
    expect(overtakenText(3)).toBe('arrived after 3 events created later');
  });

  it('says whether an empty timeline is an unknown id or one only mentioned', () => {
    expect(emptyText('inq_x', 0)).toContain('No stored delivery is about inq_x, and none names it');
    expect(emptyText('inq_x', 1)).toContain('1 names it');
    expect(emptyText('inq_x', 2)).toContain('2 name it');
  });
});

describe('TimelineBody', () => {
  const html = (t: Timeline, current = 5) =>
    renderToString(createElement(TimelineBody, { timeline: t, currentId: current, onOpen: () => undefined })).replaceAll(
      '<!-- -->',
      '',
    );

  it('draws one row per entry in order, the current one marked, the flags explained', () => {
    const out = html(storyTimeline());
    const ids = [...out.matchAll(/data-testid="timeline-row" data-delivery-id="(\d+)" data-rank="(\d+)"/g)].map(
      (m) => [Number(m[1]), Number(m[2])],
    );
    expect(ids).toEqual([
      [1, 1],
      [2, 2],
      [4, 4],
      [5, 5],
      [3, 3],
      [6, 6],
    ]);
    expect(out).toContain('data-flags="out_of_order duplicate status_regression" data-current="true"');
    expect(out).toContain('aria-current="true"');
    expect(out).toContain('They did not arrive in that order.');
    expect(out).toContain('arrived after 1 event created later');
    for (const why of ['Why out of order.', 'Why duplicate.', 'Why conflicting.', 'Why regression.']) {
      expect(out).toContain(why);
    }
    expect(out).toContain('data-testid="timeline-mention" data-delivery-id="7"');
    expect(out).toContain('names it in a relationship of its payload.data');
  });

  it('says when nothing is about the resource, and lists the notes', () => {
    const t: Timeline = {
      ...storyTimeline(),
      entries: [],
      total_entries: 0,
      mentions: [],
      mentioned_in: [],
      flags: [],
      notes: ['200 mention candidates read'],
    };
    const out = html(t);
    expect(out).toContain('data-testid="timeline-empty"');
    expect(out).toContain('and none names it');
    expect(out).not.toContain('timeline-legend');
    expect(out).toContain('200 mention candidates read');
  });

  it('keeps event names and ids as text', () => {
    const t = storyTimeline();
    const first = t.entries[0];
    if (first === undefined) throw new Error('fixture');
    t.entries = [{ ...first, event_name: '<img src=x onerror=alert(1)>', status: '<b>' }];
    const out = html(t);
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('TimelineTab', () => {
  const tab = (resourceId: string | null) =>
    renderToString(
      createElement(TimelineTab, {
        resourceId,
        currentId: 1,
        ownResourceId: 'inq_own',
        onShow: () => undefined,
        onOpen: () => undefined,
      }),
    ).replaceAll('<!-- -->', '');

  it('says a delivery without a resource has no timeline, and offers the field', () => {
    const out = tab(null);
    expect(out).toContain('data-state="none"');
    expect(out).toContain('This delivery names no resource');
    expect(out).toContain('data-testid="timeline-lookup-input"');
  });

  it('reads the resource asked for, with a way back to the delivery’s own', () => {
    const out = tab('inq_other');
    expect(out).toContain('data-state="loading"');
    expect(out).toContain('value="inq_other"');
    expect(out).toContain('data-testid="timeline-own"');
    expect(tab('inq_own')).not.toContain('data-testid="timeline-own"');
  });
});
