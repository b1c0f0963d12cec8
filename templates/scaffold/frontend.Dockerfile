# syntax=docker/dockerfile:1
# Scaffolded by `pnpm gen:workflows add-service {{name}}`; yours to edit.
# Multi-stage Next.js build: NEXT_PUBLIC_* values are baked in at build time (declare them as
# ARGs here and as buildArgs in services.config.ts); the `production` target runs the standalone
# server as the unprivileged `node` user. Secrets the build needs (a Sentry token to upload
# source maps) are never ARG or ENV, which persist in the image: they are buildSecrets in
# services.config.ts and reach only the RUN step that mounts them.
FROM node:20-alpine AS base
RUN corepack enable
WORKDIR /app

FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
# For each workspace package this service comes to depend on (a `workspace:` dependency), add
# `COPY packages/<package> ./packages/<package>` here: copying all of packages/ would make every
# package an input of this image, and affected-only builds would rebuild it for any of them.
COPY {{path}}/package.json ./{{path}}/
RUN pnpm install --frozen-lockfile --filter "./{{path}}..."

FROM deps AS builder
ARG NEXT_PUBLIC_API_URL
ENV NEXT_PUBLIC_API_URL=$NEXT_PUBLIC_API_URL
# Only the service's own folder: `COPY . .` would make every change anywhere in the repository
# an input of this image, and affected-only builds would rebuild it on every push.
COPY {{path}} ./{{path}}
# The token is an environment variable of this RUN only, and only when the registry gives the
# service buildSecrets: { SENTRY_AUTH_TOKEN: "…" }; without it the build runs, uploading nothing.
RUN --mount=type=secret,id=SENTRY_AUTH_TOKEN,env=SENTRY_AUTH_TOKEN \
    pnpm --filter "./{{path}}" build

FROM node:20-alpine AS production
ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder --chown=node:node /app/{{path}}/.next/standalone ./
COPY --from=builder --chown=node:node /app/{{path}}/.next/static ./{{path}}/.next/static
COPY --from=builder --chown=node:node /app/{{path}}/public ./{{path}}/public
USER node
EXPOSE 3000
ENV PORT=3000
CMD ["node", "{{path}}/server.js"]
