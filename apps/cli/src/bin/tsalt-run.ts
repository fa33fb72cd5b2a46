#!/usr/bin/env node
import { runMain } from '../common.js';
import { runnerMain } from '../run-cli.js';

runMain('tsalt-run', () => runnerMain(process.argv));
