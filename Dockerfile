# One image for every Chaperone service. Pick the service with the command:
#   docker run chaperone services/policy/dist/main.js
# (ENTRYPOINT is `node`; docker-compose.yml and deploy/kubernetes/ set the command per service.)

ARG NODE_IMAGE=node:20-bookworm-slim

# --- manifests: only the package.json files of the workspace, with their directory layout -------
# Copying these separately keeps the `npm ci` layers cached while only sources change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && cp --parents package.json package-lock.json libs/*/package.json services/*/package.json test/*/package.json tools/*/package.json /out/

# --- build: full install (dev dependencies included), then every project's `build` target --------
FROM ${NODE_IMAGE} AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# Each package.json lists its @chaperone/* dependencies (scripts/sync-workspace-deps.js), so Nx
# builds libs before the services that import them in one pass.
RUN npx nx run-many -t build --outputStyle=static \
 && mkdir /dist-out \
 && cp -r --parents libs/*/dist services/*/dist tools/*/dist /dist-out/

# --- runtime: production dependencies, compiled output, example policy; no compiler, no nx -------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CHAPERONE_LOG_FORMAT=json
WORKDIR /app
COPY --from=manifests /out/ ./
# The CLI's committed bin shim, so npm links `chaperone` (it loads tools/cli/dist).
COPY tools/cli/bin tools/cli/bin
# Workspace packages (@chaperone/*) become symlinks into libs/ and services/; their dist/ follows.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /dist-out/ ./
COPY deploy/policy.example.yaml deploy/policy.example.yaml
# Where the exporter's file sinks write (a volume mounted there inherits this owner).
RUN mkdir -p /var/lib/chaperone/export && chown 1000:1000 /var/lib/chaperone/export
# The `node` user of the base image, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Kubernetes API surface (HTTPS), the health ports of ingress, policy, masking, approval, audit, and
# the reports API (9405, with its health endpoints), the exporter's health and metrics (9407) and
# the web console (9408).
EXPOSE 8443 9400 9401 9402 9403 9404 9405 9407 9408
ENTRYPOINT ["node"]
CMD ["services/ingress/dist/main.js"]
