import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup/msw.ts'],
    restoreMocks: true,
    unstubEnvs: true,
  },
});
