// The console is a static single-page app; the console service serves dist/ and its API.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  // `vite dev` for working on the UI: API calls go to a console service on its default port.
  server: { proxy: { '/api': 'http://127.0.0.1:9408', '/console': 'http://127.0.0.1:9408' } },
});
