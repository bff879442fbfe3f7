import { describe, expect, it } from 'vitest';
import { PALETTE, groupHue } from './groupColor.ts';

// Every resource group in Persona's catalog (src/catalog/events.tsv, first column).
const CATALOG_GROUPS = [
  'Account', 'Account type', 'Agent conversation', 'Authentication', 'Case', 'Case comment',
  'Case message', 'Case template', 'Checkpoint', 'Connect / Share Token', 'Document', 'Filing',
  'Graph query', 'Importer pipeline run', 'Inquiry', 'Inquiry session', 'Inquiry template version',
  'Integration log', 'Report', 'SAR', 'Selfie', 'Session', 'Transaction', 'Transaction type', 'User',
  'User notification', 'Verification', 'Workflow', 'Workflow run',
];

describe('groupHue', () => {
  it('gives every catalog group a hue', () => {
    for (const g of CATALOG_GROUPS) {
      const hue = groupHue(g);
      expect(hue, g).not.toBeNull();
      expect(hue, g).toBeGreaterThanOrEqual(0);
      expect(hue, g).toBeLessThan(360);
    }
  });

  it('is stable', () => {
    for (const g of [...CATALOG_GROUPS, 'widget']) expect(groupHue(g)).toBe(groupHue(g));
    expect(groupHue('Case comment')).toBe(groupHue('Case comment'.slice(0)));
  });

  it('keeps the busiest groups apart', () => {
    const main = ['Inquiry', 'Report', 'Verification', 'Account', 'Case', 'Transaction', 'Document', 'Selfie'];
    expect(new Set(main.map(groupHue)).size).toBe(main.length);
  });

  it('colours unknown groups from the palette', () => {
    expect(PALETTE).toContain(groupHue('widget'));
    expect(PALETTE).toContain(groupHue('Agent conversation'));
  });

  it('leaves deliveries without a group uncoloured', () => {
    expect(groupHue(null)).toBeNull();
    expect(groupHue('')).toBeNull();
  });
});
