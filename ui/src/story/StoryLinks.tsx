// The links between deliveries that the detail pane offers anywhere in its tabs: a resource id
// opens that resource's timeline, a delivery id opens that delivery. The detail provides them;
// without a provider an id is plain text.

import { createContext, useContext, type ReactNode } from 'react';

export interface StoryLinks {
  openTimeline: (resourceId: string) => void;
  openDelivery: (deliveryId: number) => void;
}

const Links = createContext<StoryLinks | null>(null);

export function StoryLinksProvider({ links, children }: { links: StoryLinks; children: ReactNode }) {
  return <Links.Provider value={links}>{children}</Links.Provider>;
}

export function useStoryLinks(): StoryLinks | null {
  return useContext(Links);
}

/** A resource id that opens its timeline. */
export function ResourceLink({ id }: { id: string }) {
  const links = useStoryLinks();
  if (links === null || id === '') return <code>{id}</code>;
  return (
    <button
      type="button"
      className="dt-link st-id-link"
      data-testid="resource-link"
      data-resource-id={id}
      title={`Show the timeline of ${id}: every stored delivery about it, in the order Persona created them`}
      onClick={() => links.openTimeline(id)}
    >
      <code>{id}</code>
    </button>
  );
}
