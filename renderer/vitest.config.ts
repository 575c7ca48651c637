import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/renderer/**/*.spec.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['test/renderer/setup.ts'],
  },
});
