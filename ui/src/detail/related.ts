// Resources the payload points at but Persona did not include, gathered for their own cards.

import type { ApiPath, Relationship } from '../bindings.ts';

export interface MissingResource {
  type: string;
  id: string;
  /** Where Persona's API reference documents fetching it (null: nowhere the inspector knows). */
  api: ApiPath | null;
  /** The relationships that point at it ("account", "verifications", …). */
  via: string[];
}

/**
 * Each not-included target once (by type and id), in the order the relationships list them. A
 * link to the primary resource (payload.data) is not missing: it is the payload itself.
 */
export function notIncluded(relationships: readonly Relationship[]): MissingResource[] {
  const byKey = new Map<string, MissingResource>();
  for (const rel of relationships) {
    for (const t of rel.targets) {
      if (t.included || t.primary) continue;
      const key = JSON.stringify([t.type, t.id]);
      const known = byKey.get(key);
      if (known === undefined) byKey.set(key, { type: t.type, id: t.id, api: t.api, via: [rel.name] });
      else if (!known.via.includes(rel.name)) known.via.push(rel.name);
    }
  }
  return [...byKey.values()];
}
