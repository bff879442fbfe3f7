// Where a handler fetches a resource Persona did not include: the API collection guessed from the
// JSON:API type. Subtypes share their family's collection (`verification/selfie` → verifications).

const IRREGULAR: Record<string, string> = {
  inquiry: 'inquiries',
  'graph-query': 'graph-queries',
};

/** camelCase and snake_case types (a webhook's key inflection) to the kebab-case of API paths. */
function kebab(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

function plural(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular !== undefined) return irregular;
  const parts = word.split('-');
  const last = parts.pop() ?? word;
  const head = parts.length > 0 ? `${parts.join('-')}-` : '';
  const lastIrregular = IRREGULAR[last];
  if (lastIrregular !== undefined) return head + lastIrregular;
  if (/[^aeiou]y$/.test(last)) return `${head}${last.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(last)) return `${head}${last}es`;
  return `${head}${last}s`;
}

/** "accounts" for `account`, "verifications" for `verification/government-id`; null if not a type. */
export function apiCollection(type: string): string | null {
  const family = kebab(type.trim().split('/')[0] ?? '');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(family)) return null;
  return plural(family);
}

/** `/api/v1/accounts/act_…` (the id percent-encoded), or null when the type or id is unusable. */
export function apiPathFor(type: string, id: string): string | null {
  const collection = apiCollection(type);
  if (collection === null || id.trim() === '') return null;
  return `/api/v1/${collection}/${encodeURIComponent(id)}`;
}
