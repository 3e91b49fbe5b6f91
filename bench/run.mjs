#!/usr/bin/env node
// `npm run bench -- <name> [args…]` runs bench/<name>.ts from the TypeScript sources (tsx, as
// bin/ml-connector.mjs does) and passes the remaining arguments on. Each bench prints one JSON
// object of figures on stdout.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
const [name, ...args] = process.argv.slice(2);

if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(`${benchDir}${name}.ts`)) {
  process.stderr.write(
    `${name ? `Unknown bench "${name}".` : 'No bench given.'}\nUsage: npm run bench -- <name> [args…]\nBenches: ${available.join(', ') || '(none)'}\n`,
  );
  process.exit(2);
}

register();
const file = `${benchDir}${name}.ts`;
// The bench sees its own arguments as if it had been started directly.
process.argv = [process.argv[0], file, ...args];
await import(pathToFileURL(file).href);
