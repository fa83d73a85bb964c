#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, like every other process of the workspace.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
