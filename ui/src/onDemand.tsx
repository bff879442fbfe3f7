// The parts of the window that are not on its first screen, each loaded the first time it is
// shown (a chunk of its own, `import()`): the script the window starts with is only the list,
// the header and the filters, so it loads, compiles and holds less before the first paint and
// at idle (launch and idle memory, BENCHMARKS.md "Launch against a minimal Tauri app").

import { lazy } from 'react';

export const DeliveryDetail = lazy(() => import('./detail/DeliveryDetail.tsx').then((m) => ({ default: m.DeliveryDetail })));
export const ForwardingDialog = lazy(() =>
  import('./forwarding/ForwardingDialog.tsx').then((m) => ({ default: m.ForwardingDialog })),
);
export const BulkDialog = lazy(() => import('./bulk/BulkDialog.tsx').then((m) => ({ default: m.BulkDialog })));
export const HarDialog = lazy(() => import('./share/HarDialog.tsx').then((m) => ({ default: m.HarDialog })));
export const SampleDialog = lazy(() => import('./sample/SampleDialog.tsx').then((m) => ({ default: m.SampleDialog })));
export const ImportDialog = lazy(() => import('./share/ImportDialog.tsx').then((m) => ({ default: m.ImportDialog })));
export const PurgeDialog = lazy(() => import('./settings/PurgeDialog.tsx').then((m) => ({ default: m.PurgeDialog })));
export const CheckDialog = lazy(() => import('./check/CheckDialog.tsx').then((m) => ({ default: m.CheckDialog })));
export const SettingsPanel = lazy(() => import('./settings/SettingsPanel.tsx').then((m) => ({ default: m.SettingsPanel })));
