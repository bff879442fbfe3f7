import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { mark } from './launchMarks.ts';
import { prefetchFirstPage } from './list/firstPage.ts';
import { prefetchListenerStatus } from './settings/firstStatus.ts';
import './app.css';

/**
 * The first render waits this long at most for the list's first page and the listener's status:
 * with them, the first paint shows the list (or the first-run guide) and the listener's address;
 * a slow store only delays the window by this much before it says so itself.
 */
const FIRST_PAGE_WAIT_MS = 400;

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

mark('script');
const firstReads = Promise.all([prefetchFirstPage(), prefetchListenerStatus()]);
await Promise.race([firstReads, new Promise((resolve) => setTimeout(resolve, FIRST_PAGE_WAIT_MS))]);
mark('first-page');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
