import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // netns integration suites build kernel state; run files one at a time so they never contend
    fileParallelism: false,
  },
});
