#!/usr/bin/env node
import { runMain } from '../common.js';
import { saltMain } from '../salt-cli.js';

runMain('tsalt', () => saltMain(process.argv));
