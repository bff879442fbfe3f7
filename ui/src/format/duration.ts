// Durations in words, three ways for three uses: `formatDuration` for a span of time read at
// leisure, `humanDuration` for a measured request (as the CLI prints it), `countdown` for a
// coarse countdown that ticks once a second. The window's only duration formatters.

/**
 * A duration in words, sign ignored: "350 ms", "1.4 s", "42 s", "3 min 12 s", "2 h 5 min",
 * "3 d 4 h", "2.5 years".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 10_000) return `${(Math.floor(a / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(a / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return withRest(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86_400) return withRest(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  const days = Math.floor(s / 86_400);
  if (days < 365) return withRest(days, 'd', Math.floor((s % 86_400) / 3600), 'h');
  return `${(Math.round((s / 31_557_600) * 10) / 10).toFixed(1)} years`;
}

function withRest(n: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${n} ${unit}` : `${n} ${unit} ${rest} ${restUnit}`;
}

/** "0.8 ms", "12 ms", "6.2 s", like the CLI (src/model/redelivery.rs `human_duration`). */
export function humanDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
}

/** "now", "4 s", "12 min", "1.1 h": coarse, for a countdown that ticks once a second. */
export function countdown(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`;
}
