import { describe, expect, it } from 'vitest';
import { PERSONA_WEBHOOK_IPS } from '../bindings.ts';
import {
  addressListText,
  isPersonaList,
  listedText,
  parseAddressList,
  replyText,
  sameAddresses,
  sourceMark,
} from './sourceAddress.ts';

describe('sourceMark', () => {
  it('shows nothing when the address is unknown', () => {
    expect(sourceMark({})).toBeNull();
    expect(sourceMark({ source_ip: null, source_ip_listed: null })).toBeNull();
  });

  it('marks a listed address as Persona’s, and says it proves nothing', () => {
    const m = sourceMark({ source_ip: '34.89.193.61', source_ip_listed: true });
    expect(m).toMatchObject({ ip: '34.89.193.61', marker: 'Persona’s', listed: 'yes' });
    expect(m?.title).toMatch(/^34\.89\.193\.61 is in Persona’s list .*the signature is what shows/);
  });

  it('marks an address missing from the list as not listed, without calling it bad', () => {
    const m = sourceMark({ source_ip: '203.0.113.7', source_ip_listed: false });
    expect(m).toMatchObject({ ip: '203.0.113.7', marker: 'not listed', listed: 'no' });
    expect(m?.title).toMatch(/not in Persona’s list.*out of date/);
  });

  it('has no marker when nothing was looked up (an empty list)', () => {
    expect(sourceMark({ source_ip: '::1', source_ip_listed: null })).toMatchObject({ ip: '::1', marker: null, listed: 'unknown' });
  });
});

describe('listedText', () => {
  it('words each answer of the lookup', () => {
    expect(listedText('34.89.193.61', true)).toBe('in Persona’s list of webhook addresses');
    expect(listedText('203.0.113.7', false)).toBe('not in Persona’s list of webhook addresses');
    expect(listedText('203.0.113.7', null)).toMatch(/^not looked up: .* is empty$/);
    expect(listedText(null, null)).toBe('unknown');
  });
});

describe('replyText', () => {
  it('names the status the listener answered, and what Persona makes of a failure', () => {
    expect(replyText(200, 'captured')).toBe('answered 200');
    expect(replyText(204, 'test')).toBe('answered 204');
    expect(replyText(503, 'captured')).toBe('answered 503: Persona counts it as a failed attempt and tries again');
  });

  it('says why there is none', () => {
    expect(replyText(null, 'imported')).toBe('nobody answered it: it was imported');
    expect(replyText(null, 'captured')).toMatch(/^not recorded/);
  });
});

describe('address lists', () => {
  it('reads one address a line, also split by commas or spaces, blanks and repeats dropped', () => {
    expect(parseAddressList('  35.232.44.140\n\n34.69.131.123 ,34.67.4.225;\r\n35.232.44.140\n')).toEqual([
      '35.232.44.140',
      '34.69.131.123',
      '34.67.4.225',
    ]);
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(' \n \n')).toEqual([]);
  });

  it('leaves what is not an address for the command to refuse, word for word', () => {
    expect(parseAddressList('35.232.44.140\n34.69.131.0/24\nnope')).toEqual(['35.232.44.140', '34.69.131.0/24', 'nope']);
  });

  it('writes a saved list back one a line, which reads back the same', () => {
    const text = addressListText(PERSONA_WEBHOOK_IPS);
    expect(text.split('\n')).toHaveLength(PERSONA_WEBHOOK_IPS.length);
    expect(parseAddressList(text)).toEqual([...PERSONA_WEBHOOK_IPS]);
  });

  it('compares lists in order and knows Persona’s', () => {
    expect(sameAddresses(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameAddresses(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameAddresses(['a'], ['a', 'b'])).toBe(false);
    expect(isPersonaList([...PERSONA_WEBHOOK_IPS])).toBe(true);
    expect(isPersonaList(PERSONA_WEBHOOK_IPS.slice(1))).toBe(false);
  });
});
