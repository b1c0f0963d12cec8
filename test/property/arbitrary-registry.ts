/** fast-check arbitraries for valid registries: acyclic, kind-ordered, every reference defined. */
import fc from "fast-check";
import type { BuildArgValue, DeployKind, Registry, Service } from "../../generator/config/registry.ts";

const KINDS: DeployKind[] = ["infrastructure", "backend", "gateway", "frontend"];
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

export const arbitraryRegistry: fc.Arbitrary<Registry> = fc
  .record({
    names: fc.uniqueArray(word, { minLength: 1, maxLength: 12 }),
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 12, maxLength: 12 }),
    built: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    depSeeds: fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 12, maxLength: 12 }),
    sentry: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    cron: fc.array(fc.nat({ max: 2 }), { minLength: 12, maxLength: 12 }),
    groups: fc.uniqueArray(word, { maxLength: 3 }),
    groupUse: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    twoEnvs: fc.boolean(),
    oidc: fc.boolean(),
    stagingOnly: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    arg: fc.constantFrom<BuildArgValue>("https://{domains.api}/x", { secret: "SOME_KEY", public: true }, "plain-{environment}", "{sha}"),
  })
  .map((r): Registry => {
    // Sort by kind so every dependency can point only backwards: no cycles, kind order kept.
    const services = r.names
      .map((name, i) => ({ name, kind: r.kinds[i]!, i }))
      .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.i - b.i);
    const envs = r.twoEnvs ? ["production", "staging"] : ["production"];
    const out: Service[] = services.map(({ name, kind, i }, position) => {
      const built = r.built[i]!;
      const earlier = services.slice(0, position).filter((_, j) => !(r.twoEnvs && r.stagingOnly[services[j]!.i]));
      const deps = [...new Set(r.depSeeds[i]!.filter(() => earlier.length > 0).map((seed) => earlier[seed % earlier.length]!.name))];
      const group = r.groups.length ? r.groups[r.groupUse[i]! % r.groups.length] : undefined;
      const s: Service = { name, kind };
      if (built) s.path = `services/${name}`;
      else s.image = false;
      if (deps.length) s.dependsOn = deps;
      if (built && r.sentry[i]) s.sentry = true;
      if (built && kind === "frontend") s.buildArgs = { ARG: r.arg };
      // As the reference frontends do: a Sentry token for the source-map upload, as a build secret.
      if (built && kind === "frontend" && r.sentry[i]) s.buildSecrets = { SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" };
      if (group) s.secrets = [group];
      if (r.cron[i]) s.cronjobs = Array.from({ length: r.cron[i]! }, (_, k) => ({ name: `${name}-job${k}`, schedule: "0 * * * *" }));
      if (r.twoEnvs && r.stagingOnly[i]) s.environments = ["staging"];
      return s;
    });
    // A staging-only service cannot be a dependency of one deployed everywhere; keep only valid deps.
    const envOf = new Map(out.map((s) => [s.name, s.environments ?? envs]));
    for (const s of out) if (s.dependsOn) s.dependsOn = s.dependsOn.filter((d) => (s.environments ?? envs).every((e) => envOf.get(d)!.includes(e)));
    const environment = (name: string, prefix: string) => ({
      branch: name === "production" ? "main" : name,
      workflowFile: `.github/workflows/deploy-${name}.yml`,
      workflowName: `Deploy ${name}`,
      githubEnvironment: name,
      // Production's commit tag is plain, every other environment's carries its name: one shared registry.
      imageTags: [prefix ? `{sha}-${name}` : "{sha}", `v{version}${prefix ? `-${name}` : ""}`],
      sentryEnvironment: name,
      domains: { api: `${prefix}api.example.com` },
      ingressManifest: `${prefix}ingress.yaml`,
      manifestVariables: { IMAGE_TAG: prefix ? `{sha}-${name}` : "{sha}", ACR_SERVER: { secret: "ACR_LOGIN_SERVER" } },
    });
    return {
      project: {
        namespace: "prop",
        containerRegistry: { nameSecret: "ACR_NAME", loginServerSecret: "ACR_LOGIN_SERVER" },
        cluster: { resourceGroupSecret: "RG", nameSecret: "CLUSTER" },
        azureLogin: r.oidc ? undefined : { method: "credentials", credentialsSecret: "AZURE_CREDENTIALS" },
        sentry: { organization: "org" },
      },
      environments: Object.fromEntries(envs.map((e) => [e, environment(e, e === "production" ? "" : `${e}.`)])),
      secretGroups: Object.fromEntries(r.groups.map((g) => [g, { [`${g}-key`]: `${g.toUpperCase()}_KEY` }])),
      services: out,
    } as Registry;
  });
