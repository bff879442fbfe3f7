// The page's own marks of its start, sent with `windowReady` once the first list is on screen:
// the shell logs each as milliseconds after launch, next to the launch time `make bench-app`
// reads (BENCHMARKS.md, "Launch against a minimal Tauri app").

import { windowReady } from './bindings.ts';

/** Marks a point of the start (`performance.mark`); sent with the rest by `reportReady`. */
export function mark(name: string): void {
  performance.mark(name);
}

/** The navigation's and the first script's timings, the marks so far, and now. */
export function pageMarks(): { name: string; at: number }[] {
  const marks: { name: string; at: number }[] = [];
  const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (navigation !== undefined) marks.push({ name: 'html', at: navigation.responseEnd });
  const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => r.name.endsWith('.js'));
  if (script !== undefined) marks.push({ name: 'script-loaded', at: script.responseEnd });
  for (const m of performance.getEntriesByType('mark')) marks.push({ name: m.name, at: m.startTime });
  marks.push({ name: 'ready', at: performance.now() });
  return marks;
}

/** Tells the shell the window is interactive; only a log line, so a failure is ignored. */
export function reportReady(): void {
  windowReady({ time_origin: performance.timeOrigin, marks: pageMarks() }).catch(() => {});
}
