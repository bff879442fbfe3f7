// Resources the payload points at but Persona did not include, gathered for their own cards.

import type { Relationship } from '../bindings.ts';

export interface MissingResource {
  type: string;
  id: string;
  /** The relationships that point at it ("account", "verifications", …). */
  via: string[];
}

/** Each not-included target once (by type and id), in the order the relationships list them. */
export function notIncluded(relationships: readonly Relationship[]): MissingResource[] {
  const byKey = new Map<string, MissingResource>();
  for (const rel of relationships) {
    for (const t of rel.targets) {
      if (t.included) continue;
      const key = JSON.stringify([t.type, t.id]);
      const known = byKey.get(key);
      if (known === undefined) byKey.set(key, { type: t.type, id: t.id, via: [rel.name] });
      else if (!known.via.includes(rel.name)) known.via.push(rel.name);
    }
  }
  return [...byKey.values()];
}
