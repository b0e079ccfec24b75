# syntax=docker/dockerfile:1
# thanos-ts: one image for every component; the subcommand picks the service:
#   docker run thanos-ts receive --tsdb.path=/data ...
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# Package manifests (and bin launchers) only, so that the dependency layers below are
# rebuilt only when a manifest or the lockfile changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f \
      ! -name package.json ! -name pnpm-lock.yaml ! -name pnpm-workspace.yaml \
      ! -path ./scripts/bootstrap.mjs ! -path './packages/*/bin/*' -delete \
 && find . -type d -empty -delete

# All dependencies (dev included: esbuild bundles the CLI), then the bundle.
FROM ${NODE_IMAGE} AS build
ENV CI=true
WORKDIR /src
COPY --from=manifests /src ./
RUN node scripts/bootstrap.mjs
COPY . .
RUN npm run build

# Production dependencies only: the bundle keeps third-party packages external and
# loads them from the hoisted node_modules at run time.
FROM ${NODE_IMAGE} AS prod-deps
ENV CI=true
WORKDIR /app
COPY --from=manifests /src ./
RUN PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")" \
 && npx --yes "pnpm@${PNPM_VERSION}" install --prod --frozen-lockfile \
 && rm -rf node_modules/@thanos-ts node_modules/.cache /root/.npm /root/.cache

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="thanos-ts" \
      org.opencontainers.image.description="TypeScript implementation of Thanos: receive, store, compact, query"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/packages/cli/package.json ./packages/cli/package.json
COPY --from=build /src/packages/cli/bin ./packages/cli/bin
COPY --from=build /src/packages/cli/dist ./packages/cli/dist
# Data directories (TSDB, store and compactor caches) live under /data; a named volume
# mounted there inherits this ownership, so the non-root user can write to it.
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
# gRPC (StoreAPI), HTTP (metrics, health, query API), remote write.
EXPOSE 10901 10902 19291
ENTRYPOINT ["node", "/app/packages/cli/bin/thanos-ts.mjs"]
CMD ["--help"]
