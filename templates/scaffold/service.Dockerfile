# Scaffolded by `pnpm gen:workflows add-service {{name}}`; yours to edit.
# Multi-stage: dependencies and build tools stay in the builder; the deploy workflow builds the
# `production` target, which runs as the unprivileged `node` user.
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
# Only the service's own folder: `COPY . .` would make every change anywhere in the repository
# an input of this image, and affected-only builds would rebuild it on every push.
COPY {{path}} ./{{path}}
RUN pnpm --filter "./{{path}}" build

FROM node:20-alpine AS production
ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder --chown=node:node /app/node_modules ./node_modules
COPY --from=builder --chown=node:node /app/{{path}}/node_modules ./{{path}}/node_modules
COPY --from=builder --chown=node:node /app/{{path}}/dist ./{{path}}/dist
COPY --from=builder --chown=node:node /app/{{path}}/package.json ./{{path}}/
WORKDIR /app/{{path}}
USER node
EXPOSE 3000
CMD ["node", "dist/index.js"]
