// A stable hue per resource group, so an event name's colour says what it is about at a glance.
// Only a hue: app.css picks lightness for the light and the dark theme.

/** Hand-picked for the groups seen most, so they never share a colour. */
const CHOSEN: Record<string, number> = {
  Inquiry: 265,
  Report: 205,
  Verification: 145,
  Account: 30,
  Case: 330,
  Transaction: 95,
  Document: 50,
  Selfie: 180,
  Workflow: 0,
  'Workflow run': 0,
  Session: 235,
  'Inquiry session': 235,
};

/** The rest hash onto these, spaced to stay apart from each other. */
export const PALETTE: readonly number[] = [15, 45, 75, 120, 160, 190, 220, 250, 285, 310, 345];

function hash(s: string): number {
  // FNV-1a: a few lines, and the same everywhere, so a group keeps its colour between runs.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The hue (degrees) for a group, or null without one (plain text colour). */
export function groupHue(group: string | null): number | null {
  if (group === null || group === '') return null;
  const chosen = CHOSEN[group];
  if (chosen !== undefined) return chosen;
  return PALETTE[hash(group) % PALETTE.length] ?? 0;
}
