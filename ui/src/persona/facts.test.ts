import { describe, expect, it } from 'vitest';
import { isPersonaSuccess, LAST_RETRY_H, LIMIT_S, RETRIES, scheduledOffset, successCodes } from './facts.ts';

describe("Persona's facts, from the Rust constants", () => {
  it('reads the success codes, the limit and the schedule as the window words them', () => {
    expect(successCodes()).toBe('200, 201, 202 or 204');
    expect(successCodes('and')).toBe('200, 201, 202 and 204');
    expect(LIMIT_S).toBe(5);
    expect(RETRIES).toBe(7);
    expect(LAST_RETRY_H).toBe(51);
    expect(isPersonaSuccess(204)).toBe(true);
    expect(isPersonaSuccess(203)).toBe(false);
  });

  it('sums the delays before an attempt', () => {
    expect(scheduledOffset(1)).toBe(0);
    expect(scheduledOffset(2)).toBe(3);
    expect(scheduledOffset(3)).toBe(67);
    expect(scheduledOffset(8)).toBe(184_822);
    expect(scheduledOffset(9)).toBeNull();
    expect(scheduledOffset(0)).toBeNull();
  });
});
