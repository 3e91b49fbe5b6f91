#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources (tsx), so `npx ml-connector` works from a
// checkout without a build step. The Electron app bundles the same sources instead.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/host/cli.ts');
process.exitCode = await main(process.argv.slice(2));
