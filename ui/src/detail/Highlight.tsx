// Text with the search query marked. Pieces are React text nodes: payload text never becomes HTML.

import { splitMatches } from './jsonTree.ts';

export function Highlight({ text, query }: { text: string; query: string }) {
  if (query === '') return <>{text}</>;
  const pieces = splitMatches(text, query);
  if (pieces.length === 1 && pieces[0]?.match !== true) return <>{text}</>;
  return (
    <>
      {pieces.map((p, i) =>
        p.match ? (
          <mark key={i} className="dt-mark">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
