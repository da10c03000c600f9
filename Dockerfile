# kpid: multi-stage build. The build stage compiles TypeScript with the dev
# dependencies; the runtime stage holds only production dependencies and
# dist/, and runs as an unprivileged user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds a native module when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own prepare script needs src/, copied below; rebuild runs the dependencies' install scripts.
RUN npm ci --ignore-scripts && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# fping for ICMP probes (setuid root in the Debian package, so kpid itself needs no capability).
RUN apt-get update && apt-get install -y --no-install-recommends fping tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system kpid && useradd --system --gid kpid --home-dir /var/lib/kpid kpid \
    && mkdir -p /var/lib/kpid/spool /etc/kpid && chown -R kpid:kpid /var/lib/kpid
WORKDIR /app
ENV NODE_ENV=production
# glibc gives each thread that allocates (V8's GC and compiler workers) a malloc
# arena of its own, ~5 MiB resident each; two arenas held kpid ~12 MiB lower
# at 10,000 interfaces (docs/configuration.md "Memory", docs/PERFORMANCE.md).
# Read by glibc at process start: it cannot be set from kpid itself.
ENV MALLOC_ARENA_MAX=2
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config/production.yaml /etc/kpid/kpid.yaml
COPY alert-rules /etc/kpid/alert-rules
USER kpid
WORKDIR /var/lib/kpid
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]
CMD ["run", "-c", "/etc/kpid/kpid.yaml"]
