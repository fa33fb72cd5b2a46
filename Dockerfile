# tsalt image: one image for the master, the minions and the CLI commands.
# zeromq ships prebuilt addons for Linux x64/arm64 (glibc), so no compiler is needed.
FROM node:20-bookworm-slim

WORKDIR /opt/tsalt
COPY . .
# Build, then put the six commands on PATH: one symlink per entry of package.json "bin"
# (what `npm link` would do, without a global package).
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && node -e ' \
      const fs = require("node:fs"), path = require("node:path"); \
      for (const [name, file] of Object.entries(require("./package.json").bin)) { \
        fs.chmodSync(file, 0o755); \
        fs.symlinkSync(path.resolve(file), path.join("/usr/local/bin", name)); \
      }' \
 && tsalt-master --version

# 4505: publish (PUB), 4506: requests (ROUTER).
EXPOSE 4505 4506

# The daemons stay in the foreground unless given -d.
CMD ["tsalt-master", "-c", "/etc/tsalt"]
