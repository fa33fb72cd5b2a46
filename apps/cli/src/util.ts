export { createLogger, errorLine } from '@tsalt/core';
