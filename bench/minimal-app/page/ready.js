// Reports ready as the app's window does (ui/src/App.tsx): after the first frame, one command.
requestAnimationFrame(() => {
  window.__TAURI_INTERNALS__.invoke('ready').catch(() => {});
});
