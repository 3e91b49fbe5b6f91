import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The browser e2e suites (test/e2e), run by `npm run test:e2e` after the rest of the suite: one
// file at a time, so the timed audit-screen checks (200 ms budget) do not share the 2 cores with
// other test files. `npx vitest run` alone still includes them.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-e2e.json' }]],
  },
});
