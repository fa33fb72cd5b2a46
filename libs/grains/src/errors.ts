import { TsaltError } from '@tsalt/core';

/** The grains file (`<config_dir>/grains`) could not be read or is not a YAML mapping. */
export class GrainsFileError extends TsaltError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GRAINS_FILE', message, options);
  }
}
