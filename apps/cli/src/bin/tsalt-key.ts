#!/usr/bin/env node
import { runMain } from '../common.js';
import { keyMain } from '../key-cli.js';

runMain('tsalt-key', () => keyMain(process.argv));
