#!/usr/bin/env node
// The `oplake` bin: runs the TypeScript CLI (main.ts) through tsx, so no build step is needed.
import { tsImport } from 'tsx/esm/api';

const { run } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await run(process.argv);
