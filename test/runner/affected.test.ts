/**
 * The change detection's decision, driven by fake change sets: changed files + the pnpm workspace
 * graph + Dockerfiles -> which services are built and which re-tagged. The module under test
 * (generator/runner/affected.ts) is what the generated `changes` job runs, bundled into
 * `.github/deploy/deploy.mjs`.
 */
import { describe, expect, test } from "vitest";
import * as lib from "../../generator/runner/affected.ts";

/** A monorepo like the reference customer's: services and apps on shared workspace packages. */
const manifests = [
  { dir: "", json: { name: "root", private: true, devDependencies: { typescript: "5.0.0" } } },
  { dir: "packages/shared-types", json: { name: "@splits/shared-types" } },
  { dir: "packages/shared-config", json: { name: "@splits/shared-config", dependencies: { "@splits/shared-types": "workspace:*" } } },
  { dir: "packages/ui", json: { name: "@splits/ui", peerDependencies: { react: "^19" }, dependencies: { "@splits/shared-types": "workspace:^" } } },
  { dir: "services/ats-service", json: { name: "ats-service", dependencies: { "@splits/shared-config": "workspace:*", fastify: "5.0.0" } } },
  { dir: "services/billing-service", json: { name: "billing-service", devDependencies: { "@splits/shared-types": "workspace:*" } } },
  { dir: "services/health-monitor", json: { name: "health-monitor", dependencies: { express: "4.0.0" } } },
  { dir: "apps/portal", json: { name: "portal", dependencies: { "@splits/ui": "workspace:*", next: "15.0.0" } } },
  { dir: "apps/corporate", json: { name: "corporate", dependencies: { "@splits/ui": "workspace:*", next: "15.0.0" } } },
];

/** Copies the root workspace files and the whole packages folder (every package, in the graph or not). */
const atsDockerfile = [
  "FROM node:20-alpine AS base",
  "WORKDIR /app",
  "COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./",
  "COPY packages ./packages",
  "COPY services/ats-service ./services/ats-service",
  "RUN pnpm install --frozen-lockfile",
  "FROM base AS production",
  "COPY --from=base /app/services/ats-service/dist ./dist",
].join("\n");
/** Copies only its own folder: its packages come from the workspace graph. */
const billingDockerfile = ["FROM node:20-alpine", "COPY package.json pnpm-lock.yaml ./", "COPY services/billing-service ./services/billing-service"].join("\n");
const minimalDockerfile = ['COPY ["services/health-monitor/", "./"]', "RUN npm ci"].join("\n");
/** Copies folders outside the workspace graph (patches, build scripts) and a root tsconfig. */
const portalDockerfile = [
  "FROM node:20-alpine AS production",
  "COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./",
  "COPY patches ./patches",
  "COPY tools/scripts ./scripts",
  "COPY apps/portal ./apps/portal",
  "RUN pnpm install && pnpm --filter portal build",
].join("\n");
/** `COPY . .`: the whole repository is in the image. */
const everythingDockerfile = ["FROM node:20-alpine", "COPY . .", "RUN pnpm install && pnpm --filter corporate build"].join("\n");

const services: lib.AffectedService[] = [
  { name: "ats-service", path: "services/ats-service", definition: "ats-service@1111111111111111" },
  { name: "billing-service", path: "services/billing-service", definition: "billing-service@2222222222222222" },
  { name: "health-monitor", path: "services/health-monitor", definition: "health-monitor@3333333333333333" },
  { name: "portal", path: "apps/portal", definition: "portal@4444444444444444" },
  { name: "corporate", path: "apps/corporate", definition: "corporate@7777777777777777" },
];
const dockerfiles = new Map([
  ["ats-service", atsDockerfile],
  ["billing-service", billingDockerfile],
  ["health-monitor", minimalDockerfile],
  ["portal", portalDockerfile],
  ["corporate", everythingDockerfile],
]);
/** The data file of the last deploy: it carries every service's definition token. */
const previousData = services.map((s) => `{"definition":"${s.definition}","shard":1}`).join("\n");

function select(changedFiles: string[], overrides: Partial<lib.SelectInput> = {}): lib.Selection {
  return lib.selectAffected({ services, graph: lib.workspaceGraph(manifests), dockerfiles, changedFiles, previousData, fullBuild: false, ...overrides });
}

describe("selectAffected", () => {
  test.each([
    { case: "a file in one service's folder", changed: ["services/ats-service/src/routes.ts"], build: ["ats-service", "corporate"] },
    { case: "a package billing depends on (devDependency), ats copies, the apps reach through the UI package", changed: ["packages/shared-types/src/index.ts"], build: ["ats-service", "billing-service", "portal", "corporate"] },
    { case: "a package reached only transitively (ats -> shared-config)", changed: ["packages/shared-config/index.ts"], build: ["ats-service", "corporate"] },
    { case: "the lockfile, copied by name and by `COPY . .`", changed: ["pnpm-lock.yaml"], build: ["ats-service", "billing-service", "portal", "corporate"] },
    { case: "a root file portal copies by name", changed: ["tsconfig.base.json"], build: ["portal", "corporate"] },
    { case: "a folder outside the workspace graph that portal copies (COPY patches ./patches)", changed: ["patches/next@15.0.0.patch"], build: ["portal", "corporate"] },
    { case: "a file deep in a copied folder (COPY tools/scripts ./scripts)", changed: ["tools/scripts/lib/build.sh"], build: ["portal", "corporate"] },
    { case: "a sibling of a copied folder", changed: ["tools/release.sh", "patches-old/a.patch"], build: ["corporate"] },
    { case: "manifests and docs only (copied only by `COPY . .`)", changed: ["infra/k8s/ats-service/deployment.yaml", "docs/README.md"], build: ["corporate"] },
    { case: "nothing", changed: [], build: [] },
    { case: "a sibling folder whose name starts like a service's", changed: ["services/ats-service-v2/index.ts"], build: ["corporate"] },
    { case: "the UI package, used by the apps and copied by ats", changed: ["packages/ui/button.tsx"], build: ["ats-service", "portal", "corporate"] },
    { case: "a file with non-ASCII and special characters in its name", changed: ['services/health-monitor/src/café "x".ts'], build: ["health-monitor", "corporate"] },
  ])("GIVEN $case changed WHEN selecting THEN exactly the affected services build and the rest are re-tagged", ({ changed, build }) => {
    const result = select(changed);
    expect(result.build).toEqual(build);
    expect(result.retag).toEqual(services.map((s) => s.name).filter((n) => !build.includes(n)));
    for (const name of build) expect(result.reasons[name]).toMatch(/^input changed: /);
  });

  test("GIVEN the full-build input WHEN selecting THEN every service builds, whatever changed", () => {
    const result = select([], { fullBuild: true });
    expect(result.build).toEqual(services.map((s) => s.name));
    expect(result.retag).toEqual([]);
    expect(result.reasons.portal).toBe("full build requested");
  });

  test("GIVEN no previous successful deploy WHEN selecting THEN everything builds (there is no image to re-tag)", () => {
    const result = select(["services/ats-service/a.ts"], { previousData: undefined });
    expect(result.build).toEqual(services.map((s) => s.name));
    expect(result.reasons["health-monitor"]).toBe("no previous successful deploy to re-tag from");
  });

  test("GIVEN a service whose build definition (build args, tags) changed in the registry WHEN selecting THEN it builds though no file of it changed", () => {
    const changedDefinition = services.map((s) => (s.name === "portal" ? { ...s, definition: "portal@5555555555555555" } : s));
    const result = select([], { services: changedDefinition });
    expect(result.build).toEqual(["portal"]);
    expect(result.reasons.portal).toBe("new service, or its build definition changed");
  });

  test("GIVEN a service added since the last deploy WHEN selecting THEN it builds", () => {
    const added = [...services, { name: "new-service", path: "services/new-service", definition: "new-service@6666666666666666" }];
    expect(select([], { services: added }).build).toEqual(["new-service"]);
  });

  test("GIVEN services without a Dockerfile to read WHEN any file changed THEN they all build (every file counts); WHEN nothing changed THEN they are re-tagged", () => {
    expect(select(["docs/README.md"], { dockerfiles: new Map() }).build).toEqual(services.map((s) => s.name));
    expect(select([], { dockerfiles: new Map() }).retag).toEqual(services.map((s) => s.name));
  });
});

describe("inputs of a service", () => {
  test("GIVEN the workspace graph WHEN computing the portal's inputs THEN they are its folder, its packages transitively, and every file or folder it copies", () => {
    const inputs = lib.serviceInputs(services[3]!, lib.workspaceGraph(manifests), portalDockerfile);
    expect(inputs).toEqual({
      dirs: ["apps/portal", "packages/shared-types", "packages/ui"],
      sources: ["apps/portal", "package.json", "patches", "pnpm-lock.yaml", "pnpm-workspace.yaml", "tools/scripts", "tsconfig.base.json"],
    });
  });

  test("GIVEN no Dockerfile WHEN computing inputs THEN the whole repository (\".\") is an input", () => {
    expect(lib.serviceInputs(services[2]!, lib.workspaceGraph(manifests), undefined).sources).toEqual(["."]);
  });

  test.each([
    { dockerfile: "COPY package.json pnpm-lock.yaml ./\nCOPY packages ./packages", sources: ["package.json", "packages", "pnpm-lock.yaml"] },
    { dockerfile: "COPY --chown=node:node ./package*.json ./", sources: ["package*.json"] },
    { dockerfile: 'COPY ["pnpm-lock.yaml", "./"]', sources: ["pnpm-lock.yaml"] },
    { dockerfile: "COPY --from=builder /app/dist ./dist\nADD . /app", sources: ["."] },
    { dockerfile: "COPY ./ /app/", sources: ["."] },
    { dockerfile: "copy \\\n  package.json \\\n  ./", sources: ["package.json"] },
    { dockerfile: "COPY services/x/ ./\nRUN echo COPY package.json", sources: ["services/x"] },
    { dockerfile: "COPY ./tools//scripts/./ ./scripts\nCOPY /patches ./patches\nCOPY services/x/../../shared ./shared\nCOPY ../outside ./", sources: ["outside", "patches", "shared", "tools/scripts"] },
    { dockerfile: "ARG SERVICE\nCOPY services/${SERVICE}/ ./\nCOPY apps/$APP/dist ./", sources: ["apps/*/dist", "services/*"] },
    { dockerfile: "ADD https://example.com/a.tgz /tmp/\nADD git@github.com:o/r.git /src\nCOPY <<EOF /etc/motd\nhello\nEOF", sources: [] },
  ])("GIVEN Dockerfile $dockerfile WHEN reading its sources THEN they are $sources", ({ dockerfile, sources }) => {
    expect(lib.dockerfileSources(dockerfile)).toEqual(sources);
  });

  test.each([
    { source: "tools/scripts", file: "tools/scripts", matches: true },
    { source: "tools/scripts", file: "tools/scripts/a/b.sh", matches: true },
    { source: "tools/scripts", file: "tools/scripts-old/b.sh", matches: false },
    { source: "tools/scripts", file: "tools", matches: false },
    { source: "package*.json", file: "package-lock.json", matches: true },
    { source: "package*.json", file: "apps/portal/package.json", matches: false },
    { source: "services/*/package.json", file: "services/a/package.json", matches: true },
    { source: "services/*/package.json", file: "services/a/src/package.json", matches: false },
    { source: "config/[ab].json", file: "config/a.json", matches: true },
    { source: "config/[ab].json", file: "config/ab.json", matches: false },
    { source: "config/**", file: "config/x/y/z.json", matches: true },
    { source: ".", file: "docs/README.md", matches: true },
  ])("GIVEN source $source WHEN $file changes THEN it is an input: $matches", ({ source, file, matches }) => {
    expect(lib.sourceMatches(source, file)).toBe(matches);
  });

  test("GIVEN a glob source WHEN a matching root file changes THEN the service builds; a non-matching one does not", () => {
    const globbing = new Map([...dockerfiles, ["health-monitor", "COPY package*.json ./\nCOPY services/health-monitor ./"]]);
    expect(select(["package-lock.json"], { dockerfiles: globbing }).build).toEqual(["health-monitor", "corporate"]);
    expect(select(["pnpm-workspace.yaml"], { dockerfiles: globbing }).build).toEqual(["ats-service", "portal", "corporate"]);
  });
});

describe("bind mounts", () => {
  test.each([
    { line: "RUN --mount=type=bind,source=tools/scripts,target=/scripts sh /scripts/build.sh", sources: ["tools/scripts"] },
    { line: "RUN --mount=type=bind,src=./patches/x.patch,target=/p --mount=type=cache,target=/root/.npm npm ci", sources: ["patches/x.patch"] },
    { line: "RUN --mount=type=bind,target=/src make", sources: ["."] },
    { line: "RUN --mount=type=bind,from=base,source=/app/dist,target=/dist cp -r /dist .", sources: [] },
    { line: "RUN --mount=type=secret,id=sentry,env=SENTRY_AUTH_TOKEN pnpm build", sources: [] },
  ])("GIVEN `$line` WHEN reading the Dockerfile's inputs THEN they are $sources", ({ line, sources }) => {
    expect(lib.dockerfileSources(`FROM node:20-alpine AS production\n${line}\n`)).toEqual(sources);
  });

  test("GIVEN a service that bind-mounts a folder outside its own WHEN a file in that folder changes THEN it builds", () => {
    const mounting = new Map([["health-monitor", 'COPY ["services/health-monitor/", "./"]\nRUN --mount=type=bind,source=tools/scripts,target=/s sh /s/build.sh\n']]);
    const result = select(["tools/scripts/build.sh"], { dockerfiles: mounting });
    expect(result.build).toContain("health-monitor");
    expect(result.reasons["health-monitor"]).toBe("input changed: tools/scripts/build.sh");
  });
});
