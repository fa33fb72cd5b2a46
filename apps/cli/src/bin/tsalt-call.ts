#!/usr/bin/env node
import { runMain } from '../common.js';
import { callMain } from '../call-cli.js';

runMain('tsalt-call', () => callMain(process.argv));
