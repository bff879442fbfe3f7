import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Detail } from '../bindings.ts';
import { RETRY_DELAYS_S } from '../persona/facts.ts';
import { copy } from './fixtures.ts';
import { RetryChain } from './RetryChain.tsx';
import { attemptsText, chainRows, gapFit, type CopyRow } from './retryChain.ts';

const [FIRST = 0, SECOND = 0, THIRD = 0] = RETRY_DELAYS_S;

describe('gapFit', () => {
  it("fits Persona's wait, plus the earlier attempt's wait for an answer", () => {
    expect(gapFit(FIRST, FIRST)).toBe('fits');
    expect(gapFit(FIRST + 5, FIRST)).toBe('fits');
    expect(gapFit(SECOND * 0.95, SECOND)).toBe('fits');
  });

  it('says sooner or later beyond that', () => {
    expect(gapFit(0.05, FIRST)).toBe('sooner');
    expect(gapFit(SECOND / 2, SECOND)).toBe('sooner');
    expect(gapFit(THIRD * 2, THIRD)).toBe('later');
  });
});

describe('attemptsText', () => {
  it('lists attempt numbers as a sentence', () => {
    expect(attemptsText([3])).toBe('attempt 3');
    expect(attemptsText([3, 4])).toBe('attempts 3 and 4');
    expect(attemptsText([3, 4, 6])).toBe('attempts 3, 4 and 6');
  });
});

describe('chainRows', () => {
  const chain = [
    copy(10),
    copy(11, { attempt: 2, attempts_left: 6, seconds_since_previous: 3.4, expected_seconds: FIRST }),
    // Attempt 3 never arrived; 4 did, another body, long after.
    copy(14, {
      attempt: 4,
      attempts_left: 4,
      seconds_since_previous: 5000,
      expected_seconds: SECOND + THIRD,
      same_body: false,
    }),
    copy(15, { attempt: null, attempts_left: null, seconds_since_previous: 0.5 }),
  ];

  it('gives each copy its attempts, gap, expectation and body, the missing attempts in their place', () => {
    const rows = chainRows(chain, [3], 11);
    expect(rows.map((r) => (r.kind === 'copy' ? r.deliveryId : r.text))).toEqual([
      10,
      11,
      'attempt 3: no copy stored',
      14,
      15,
    ]);
    const copies = rows.filter((r): r is CopyRow => r.kind === 'copy');
    expect(copies.map((r) => r.attempts)).toEqual(['1 made, 7 left', '2 made, 6 left', '4 made, 4 left', null]);
    expect(copies.map((r) => r.since)).toEqual([null, '3.4 s', '1 h 23 min', '500 ms']);
    expect(copies.map((r) => r.expected)).toEqual([
      '—',
      `about ${FIRST} s`,
      'about 13 min 13 s',
      'unknown: no attempt number',
    ]);
    expect(copies.map((r) => r.fit)).toEqual([null, 'fits', 'later', null]);
    expect(copies.map((r) => r.sameBody)).toEqual([true, true, false, true]);
    expect(copies.map((r) => r.current)).toEqual([false, true, false, false]);
  });

  it('says why a repeated attempt number has no expected wait', () => {
    const rows = chainRows([copy(1), copy(2, { seconds_since_previous: 0.1 })], [], 1);
    const second = rows[1];
    expect(second?.kind === 'copy' && second.expected).toBe('none: the attempt number does not go up');
  });

  it('puts a missing attempt only between copies that skip it', () => {
    const rows = chainRows([copy(1, { attempt: 4 }), copy(2, { attempt: 2 })], [3], 1);
    expect(rows.every((r) => r.kind === 'copy')).toBe(true);
  });
});

describe('RetryChain', () => {
  const detail = (over: Partial<Detail>) =>
    ({ id: 11, retry_chain: [], retry_chain_missing_attempts: [], retry_chain_notes: [], ...over }) as Detail;
  const html = (d: Detail) => renderToString(createElement(RetryChain, { detail: d })).replaceAll('<!-- -->', '');

  it('draws nothing for an event delivered once', () => {
    expect(html(detail({ retry_chain: [] }))).toBe('');
  });

  it('marks this delivery, flags a changed body and lists the notes', () => {
    const out = html(
      detail({
        retry_chain: [
          copy(10),
          copy(11, { attempt: 2, attempts_left: 6, seconds_since_previous: 0.2, expected_seconds: FIRST, same_body: false }),
        ],
        retry_chain_notes: ['the body of #11 differs from the first copy’s (#10)'],
      }),
    );
    expect(out).toContain('data-testid="chain-body-differs"');
    expect(out).toContain('1 copy has a different body');
    expect(out).toContain(
      `data-testid="chain-row" data-delivery-id="11" data-attempt="2" data-expected="${FIRST}" data-fit="sooner" data-same-body="false" data-current="true"`,
    );
    expect(out).toContain('✗ body differs');
    expect(out).toContain('the body of #11 differs');
  });
});
