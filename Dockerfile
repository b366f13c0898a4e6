# Mailgate 365 console, sync worker and migrations in one image. Build: docker build -t mailgate-365 .
# Node 20: the only major the project is tested on (see .nvmrc and package.json engines).
ARG NODE_IMAGE=node:20-bookworm-slim

# Build with every dependency: Next's standalone server, then the compiled commands (dist/cli).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
# patches/ first: npm ci's postinstall applies them (patch-package) to the dependencies they fix.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Run with production files only: the standalone server and the node_modules it traced (production dependencies),
# its static files, the migrations (traced in by next.config.ts) and the self-contained commands.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /src/.next/standalone ./
COPY --from=build --chown=node:node /src/.next/static ./.next/static
COPY --from=build --chown=node:node /src/dist/cli ./dist/cli
COPY --from=build --chown=node:node /src/scripts/cli.mjs ./scripts/cli.mjs
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "server.js"]
