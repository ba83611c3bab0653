# The Cloud GPU Shopper server image. The final stage holds only what runs: the server bundle, the
# operator console's static build (served at /console), the agent bundle and bootstrap script
# (simulation mode runs that bundle for its simulated nodes, and real nodes are sent the script), and
# the server workspace's production dependencies. No sources, tests, dev dependencies or compilers.
# apps/server/test/container-files.test.ts lints this file.
# Node 20 throughout, as `engines` and CI.

# Compilers for the one native module (sqlite3), for platforms without a prebuilt binary.
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The server bundle (our workspace packages are bundled into it), the self-contained agent bundle
# and the console's static files. Source maps are dropped: they embed the sources.
FROM toolchain AS build
COPY . .
RUN npm ci --no-audit --no-fund \
    && npm run build -w @gpu-shopper/agent \
    && npm run build -w @gpu-shopper/server \
    && npm run build -w @gpu-shopper/console \
    && find apps/server/dist -name '*.map' -delete

# Every package.json and the lockfile, alone: the production install below stays cached while only
# sources change.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY . .
RUN mkdir /manifests \
    && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
    && cp package-lock.json /manifests/

# The server workspace's production dependencies only (not the CLI's, the benchmarks' or any dev
# tool), minus sqlite3's compiler output beside its binary.
FROM toolchain AS production-deps
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace=@gpu-shopper/server --no-audit --no-fund \
    && cd node_modules/sqlite3 \
    && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps build/Release/*.a

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 GPU_SHOPPER_DB=/data/gpu-shopper.db
WORKDIR /app
# Owned by root: the server's user can read its code, not change it.
COPY --from=production-deps /app ./
COPY --from=build /app/apps/server/dist apps/server/dist
COPY --from=build /app/apps/console/dist apps/console/dist
COPY --from=build /app/agent/dist/agent.js agent/dist/agent.js
COPY --from=build /app/agent/bootstrap agent/bootstrap
# The database and the generated keys (master key, operator key, deployment id): private to `node`.
RUN install -d -o node -g node -m 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/server/dist/main.js"]
