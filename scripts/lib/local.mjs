// What the demo and the bench share: where the built commands are, free ports.
import net from 'node:net';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The CLI commands run from their bundles, as installed; the daemons from dist/bin. */
export const bin = (app, name) =>
  app === 'cli'
    ? path.join(root, 'apps/cli/dist/bundle', `${name}.cjs`)
    : path.join(root, 'apps', app, 'dist', 'bin', `${name}.js`);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
