import { describe, expect, it } from 'vitest';
import { isTyping, navKey, nextIndex } from './keys.ts';

describe('navKey', () => {
  it('maps arrows and j/k', () => {
    expect(navKey('ArrowDown')).toBe('down');
    expect(navKey('j')).toBe('down');
    expect(navKey('ArrowUp')).toBe('up');
    expect(navKey('k')).toBe('up');
    expect(navKey('End')).toBe('end');
    expect(navKey('J')).toBeNull();
    expect(navKey('x')).toBeNull();
  });
});

describe('nextIndex', () => {
  it('moves one row and stops at the ends', () => {
    expect(nextIndex('down', 4, 10, 5)).toBe(5);
    expect(nextIndex('up', 4, 10, 5)).toBe(3);
    expect(nextIndex('down', 9, 10, 5)).toBe(9);
    expect(nextIndex('up', 0, 10, 5)).toBe(0);
  });

  it('starts at the top without a selection (End: at the bottom)', () => {
    expect(nextIndex('down', null, 10, 5)).toBe(0);
    expect(nextIndex('up', null, 10, 5)).toBe(0);
    expect(nextIndex('end', null, 10, 5)).toBe(9);
  });

  it('pages and jumps', () => {
    expect(nextIndex('page-down', 2, 10, 5)).toBe(7);
    expect(nextIndex('page-down', 7, 10, 5)).toBe(9);
    expect(nextIndex('page-up', 7, 10, 5)).toBe(2);
    expect(nextIndex('page-up', 2, 10, 5)).toBe(0);
    expect(nextIndex('home', 7, 10, 5)).toBe(0);
    expect(nextIndex('end', 0, 100_000, 5)).toBe(99_999);
  });

  it('pulls a selection past the end (the list shrank) back in', () => {
    expect(nextIndex('up', 50, 10, 5)).toBe(8);
  });

  it('selects nothing in an empty list', () => {
    expect(nextIndex('down', null, 0, 5)).toBeNull();
    expect(nextIndex('down', 3, 0, 5)).toBeNull();
  });
});

describe('isTyping', () => {
  it('is true in text fields and false on buttons and the list', () => {
    expect(isTyping({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTyping({ tagName: 'INPUT' })).toBe(true);
    expect(isTyping({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTyping({ tagName: 'SELECT' })).toBe(true);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTyping({ tagName: 'BUTTON' })).toBe(false);
    expect(isTyping({ tagName: 'DIV', isContentEditable: false })).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
