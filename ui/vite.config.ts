/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Tauri loads the dev server from a fixed port (devUrl http://localhost:1420 in
// src-tauri/tauri.conf.json) and the built files from `dist/` (frontendDist ../ui/dist).
// Nothing here reaches the network: no CDN, no remote fonts, no analytics.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2022', 'chrome111', 'safari16'],
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Everything the first screen needs in one chunk: the parts loaded on demand
        // (src/onDemand.tsx) split off, but not into a dozen small shared chunks the window
        // would fetch one request each before its first paint.
        codeSplitting: { groups: [{ name: 'start', tags: ['$initial'] }] },
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
