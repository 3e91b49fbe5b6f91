import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Builds the renderer (src-renderer) into dist/renderer. The same bundle is loaded by the
// Electron window (file://) and served by the browser host on 127.0.0.1.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
