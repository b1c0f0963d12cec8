/**
 * One case per configuration diagnostic: GIVEN the default registry with one mistake, WHEN it is
 * generated, THEN exactly that code is reported at that registry path with a message that names
 * what is involved, and nothing is generated.
 */
import { describe, expect, it } from "vitest";
import type { DiagnosticCode } from "../../generator/diagnostics.ts";
import { parseTemplate } from "../../generator/render/templates.ts";
import { defaultRegistry, generateFrom } from "../support/repo.ts";

type Registry = Record<string, any>;
const svc = (r: Registry, name: string): Registry => r.services.find((s: Registry) => s.name === name);

interface Case {
  code: DiagnosticCode;
  given: string;
  mutate: (r: Registry) => void;
  path: string;
  message: RegExp;
  severity?: "error" | "warning";
}

const cases: Case[] = [
  { code: "CONFIG_INVALID_TYPE", given: "a rollout timeout written as a string", mutate: (r) => (svc(r, "portal").rolloutTimeoutSeconds = "180"), path: "services[16].rolloutTimeoutSeconds", message: /expected number, got "180"/ },
  { code: "CONFIG_INVALID_TYPE", given: "a missing required namespace", mutate: (r) => delete r.project.namespace, path: "project.namespace", message: /is required/ },
  { code: "CONFIG_UNKNOWN_KEY", given: "a misspelt field", mutate: (r) => (svc(r, "portal").dependOn = ["api-gateway"]), path: "services[16].dependOn", message: /unknown key "dependOn"/ },
  { code: "CONFIG_INVALID_VALUE", given: "an unknown deploy kind", mutate: (r) => (svc(r, "portal").kind = "web"), path: "services[16].kind", message: /"web" is not valid \(valid: "infrastructure", "backend", "gateway", "frontend"\)/ },
  { code: "CONFIG_INVALID_FORMAT", given: "a service name that is not a Kubernetes name", mutate: (r) => (svc(r, "portal").name = "Portal_App"), path: "services[16].name", message: /must be a Kubernetes name/ },
  { code: "CONFIG_INVALID_FORMAT", given: "a pin that is not a full SHA", mutate: (r) => (r.project.actionPins = { "actions/checkout": { sha: "v4", version: "v4" } }), path: 'project.actionPins["actions/checkout"].sha', message: /full 40-character commit SHA/ },
  {
    code: "ENVIRONMENT_DUPLICATE_WORKFLOW_FILE",
    given: "a workflow file that is another environment's rollback workflow",
    mutate: (r) => (r.environments.staging.workflowFile = ".github/workflows/deploy-aks-rollback.yml"),
    path: "environments.staging.workflowFile",
    message: /workflow file ".github\/workflows\/deploy-aks-rollback.yml" is also written by environment "production" \(its rollback workflow\)/,
  },
  { code: "CONFIG_INVALID_VALUE", given: "an unknown rollback mode", mutate: (r) => (r.project.rollback = "all"), path: "project.rollback", message: /"all" is not valid \(valid: "changed", "failed", "none"\)/ },
  { code: "CONFIG_OUT_OF_RANGE", given: "no rollout watched at once", mutate: (r) => (r.project.maxParallelRollouts = 0), path: "project.maxParallelRollouts", message: /^0 must be at least 1$/ },
  { code: "CONFIG_INVALID_TYPE", given: "prune written as a string", mutate: (r) => (r.project.prune = "yes"), path: "project.prune", message: /expected boolean/ },
  { code: "CONFIG_OUT_OF_RANGE", given: "a zero rollout timeout", mutate: (r) => (svc(r, "portal").rolloutTimeoutSeconds = 0), path: "services[16].rolloutTimeoutSeconds", message: /^0 must be at least 1 second$/ },
  { code: "CONFIG_INVALID", given: "a workflow file outside .github/workflows", mutate: (r) => (r.environments.staging.workflowFile = "deploy-staging.yml"), path: "environments.staging.workflowFile", message: /must be a file in .github\/workflows/ },
  { code: "SERVICE_DUPLICATE_NAME", given: "two services named portal", mutate: (r) => r.services.push({ ...svc(r, "portal"), path: "apps/portal-2" }), path: "services[19].name", message: /service "portal" is already defined at services\[16\]/ },
  { code: "SERVICE_UNKNOWN_DEPENDENCY", given: "a dependency on a service that does not exist", mutate: (r) => (svc(r, "ats-service").dependsOn = ["billing"]), path: "services[5].dependsOn[0]", message: /unknown service "billing" \(known: .*billing-service/ },
  {
    code: "SERVICE_DEPENDENCY_CYCLE",
    given: "two backends depending on each other",
    mutate: (r) => {
      svc(r, "ats-service").dependsOn = ["network-service"];
      svc(r, "network-service").dependsOn = ["ats-service"];
    },
    path: "services[5].dependsOn",
    message: /dependency cycle: ats-service -> network-service -> ats-service/,
  },
  { code: "SERVICE_DEPENDS_ON_LATER_KIND", given: "a backend depending on a frontend", mutate: (r) => (svc(r, "ats-service").dependsOn = ["portal"]), path: "services[5].dependsOn[0]", message: /backend "ats-service" depends on frontend "portal"/ },
  { code: "SERVICE_DEPENDENCY_NOT_DEPLOYED", given: "a dependency deployed to production only", mutate: (r) => (svc(r, "api-gateway").environments = ["production"]), path: "services[16].dependsOn[0]", message: /"portal" depends on "api-gateway", which is not deployed to staging/ },
  { code: "SERVICE_BUILD_OPTION_WITHOUT_IMAGE", given: "Sentry on an off-the-shelf image", mutate: (r) => (svc(r, "redis").sentry = true), path: "services[0].sentry", message: /"sentry" needs a built image, but "redis" has image: false/ },
  { code: "SERVICE_PATH_REQUIRED", given: "a built service without a path", mutate: (r) => delete svc(r, "portal").path, path: "services[16]", message: /"portal" builds an image but has no path/ },
  { code: "SERVICE_DUPLICATE_PATH", given: "two services building one folder", mutate: (r) => (svc(r, "candidate").path = "apps/portal"), path: "services[17].path", message: /path "apps\/portal" is also the path of "portal"/ },
  { code: "RESOURCE_NAME_COLLISION", given: "two cronjobs with one name", mutate: (r) => svc(r, "ats-service").cronjobs.push({ name: "escrow-releases" }), path: "services[7].cronjobs[1].name", message: /CronJob "escrow-releases" is also declared at services\[5\]\.cronjobs\[1\]\.name/ },
  { code: "RESOURCE_NAME_COLLISION", given: "a Deployment list naming another service's Deployment", mutate: (r) => (svc(r, "notification-service").deployment = ["notification-service", "billing-service"]), path: "services[8].deployment[1]", message: /Deployment "billing-service" is also declared at services\[7\]\.name/ },
  { code: "CONFIG_OUT_OF_RANGE", given: "an empty Deployment list", mutate: (r) => (svc(r, "notification-service").deployment = []), path: "services[8].deployment", message: /at least one Deployment/ },
  { code: "ENVIRONMENT_UNKNOWN", given: "a service limited to an environment that does not exist", mutate: (r) => (svc(r, "portal").environments = ["prod"]), path: "services[16].environments[0]", message: /unknown environment "prod" \(known: production, staging\)/ },
  { code: "ENVIRONMENT_DUPLICATE_WORKFLOW_FILE", given: "two environments writing one file", mutate: (r) => (r.environments.staging.workflowFile = ".github/workflows/deploy-aks.yml"), path: "environments.staging.workflowFile", message: /also written by environment "production"/ },
  { code: "PLACEHOLDER_UNKNOWN", given: "a build argument naming an undefined domain", mutate: (r) => (svc(r, "portal").buildArgs.NEXT_PUBLIC_API_URL = "https://{domains.apii}/api"), path: "services[16].buildArgs.NEXT_PUBLIC_API_URL", message: /unknown placeholder "\{domains.apii\}".*valid: .*\{domains.api\}/ },
  { code: "PLACEHOLDER_UNKNOWN", given: "an image tag with a build-argument placeholder", mutate: (r) => (r.environments.production.imageTags = ["{sha}", "{environment}"]), path: "environments.production.imageTags[1]", message: /unknown placeholder "\{environment\}" \(valid: \{sha\}, \{version\}\)/ },
  { code: "SECRET_GROUP_UNKNOWN", given: "a service reading a secret group that does not exist", mutate: (r) => svc(r, "billing-service").secrets.push("paypal-secrets"), path: "services[7].secrets[3]", message: /unknown secret group "paypal-secrets" \(known: .*stripe-secrets/ },
  { code: "SECRET_KEY_UNDEFINED", given: "a service reading a key its group does not define", mutate: (r) => svc(r, "billing-service").secrets.push("stripe-secrets/stripe-connect-key"), path: "services[7].secrets[3]", message: /secret "stripe-secrets" has no key "stripe-connect-key" \(keys: stripe-publishable-key, stripe-secret-key, stripe-webhook-secret\)/ },
  { code: "SECRET_GROUP_UNUSED", severity: "warning", given: "a secret group no service reads", mutate: (r) => (r.secretGroups["twilio-secrets"] = { "auth-token": "TWILIO_AUTH_TOKEN" }), path: 'secretGroups["twilio-secrets"]', message: /secret group "twilio-secrets" is used by no service/ },
  { code: "SENTRY_NOT_CONFIGURED", given: "Sentry services without a Sentry organisation", mutate: (r) => delete r.project.sentry, path: "services[2].sentry", message: /"api-gateway" has sentry: true but project.sentry is not set/ },
  { code: "IMAGE_TAG_NOT_UNIQUE", given: "a first image tag without {sha}", mutate: (r) => (r.environments.production.imageTags = ["latest", "{sha}"]), path: "environments.production.imageTags[0]", message: /the first image tag "latest" does not contain \{sha\}/ },
  { code: "MANIFEST_TAG_NOT_PUSHED", given: "manifests pointing at a tag the build never pushes", mutate: (r) => (r.environments.staging.manifestVariables.IMAGE_TAG = "{sha}-staging"), path: "environments.staging.manifestVariables.IMAGE_TAG", message: /"\{sha\}-staging" is not one of the tags pushed \(\{sha\}, v\{version\}-staging, staging-latest\)/ },
  {
    code: "IMAGE_TAG_SHARED_ACROSS_ENVIRONMENTS",
    given: "one shared registry where staging and production push the same commit tag for differently built frontends",
    mutate: (r) => delete r.project.containerRegistry.perEnvironment,
    path: "environments.staging.imageTags[0]",
    message: /production and staging push the same tag "\{sha\}" to one registry, but build "portal", "candidate", "corporate" differently/,
  },
  { code: "BUILD_ARG_SECRET", given: "a token passed as a plain build argument (the old form)", mutate: (r) => (svc(r, "portal").buildArgs.SENTRY_AUTH_TOKEN = { secret: "SENTRY_AUTH_TOKEN" }), path: "services[16].buildArgs.SENTRY_AUTH_TOKEN", message: /build argument SENTRY_AUTH_TOKEN of "portal" reads the GitHub secret SENTRY_AUTH_TOKEN: build arguments persist in the image/ },
  { code: "BUILD_ARG_SECRET", given: "a secret build argument in one environment only", mutate: (r) => (svc(r, "corporate").buildArgs.TOKEN = { byEnvironment: { production: { secret: "PROD_TOKEN" }, staging: "none" } }), path: "services[18].buildArgs.TOKEN.byEnvironment.production", message: /reads the GitHub secret PROD_TOKEN/ },
  { code: "BUILD_ARG_SECRET", given: "a secret build argument marked public: false", mutate: (r) => (svc(r, "portal").buildArgs.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.public = false), path: "services[16].buildArgs.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", message: /reads the GitHub secret SPLITS_CLERK_PUBLISHABLE_KEY/ },
  { code: "BUILD_SECRET_ALSO_BUILD_ARG", given: "one name both a build argument and a build secret", mutate: (r) => (svc(r, "portal").buildArgs.SENTRY_AUTH_TOKEN = "x"), path: "services[16].buildSecrets.SENTRY_AUTH_TOKEN", message: /SENTRY_AUTH_TOKEN of "portal" is both a build argument and a build secret/ },
  { code: "SERVICE_BUILD_OPTION_WITHOUT_IMAGE", given: "build secrets on an off-the-shelf image", mutate: (r) => (svc(r, "redis").buildSecrets = { TOKEN: "TOKEN" }), path: "services[0].buildSecrets", message: /"buildSecrets" needs a built image/ },
];

describe("configuration errors", () => {
  it.each(cases)("GIVEN $given WHEN generated THEN $code at $path", async ({ code, mutate, path, message, severity }) => {
    const registry = await defaultRegistry();
    mutate(registry);
    const result = generateFrom(registry);
    const found = result.diagnostics.filter((d) => d.code === code && d.path === path);
    expect(found, JSON.stringify(result.diagnostics, null, 2)).toHaveLength(1);
    expect(found[0]!.message).toMatch(message);
    expect(found[0]!.file).toBe("services.config.ts");
    expect(found[0]!.fix).toBeTruthy();
    if ((severity ?? "error") === "error") expect(result.files).toEqual([]);
    else {
      expect(found[0]!.severity).toBe("warning");
      // Both environments' deploy and rollback workflows (and their runner files).
      expect(result.files.filter((f) => f.kind !== "support")).toHaveLength(4);
    }
  });

  it("GIVEN a token as a plain build argument WHEN generated THEN the fix names the buildSecrets form, the Dockerfile mount, and public: true for public values", async () => {
    const registry = await defaultRegistry();
    svc(registry, "portal").buildArgs.SENTRY_AUTH_TOKEN = { secret: "SENTRY_AUTH_TOKEN" };
    const found = generateFrom(registry).diagnostics.find((d) => d.code === "BUILD_ARG_SECRET")!;
    expect(found.fix).toContain('move it to buildSecrets: { SENTRY_AUTH_TOKEN: "SENTRY_AUTH_TOKEN" }');
    expect(found.fix).toContain("RUN --mount=type=secret,id=SENTRY_AUTH_TOKEN,env=SENTRY_AUTH_TOKEN");
    expect(found.fix).toContain('{ secret: "SENTRY_AUTH_TOKEN", public: true }');
  });

  it("GIVEN the default registry WHEN generated THEN it has no diagnostics at all", async () => {
    const result = generateFrom(await defaultRegistry());
    expect(result.diagnostics).toEqual([]);
  });
});

describe("one registry shared by both environments", () => {
  it("GIVEN staging pushes and deploys its own commit tag WHEN generated THEN there is no collision and staging deploys that tag", async () => {
    const registry = await defaultRegistry();
    delete registry.project.containerRegistry.perEnvironment;
    registry.environments.staging.imageTags = ["{sha}-staging", "v{version}-staging", "staging-latest"];
    registry.environments.staging.manifestVariables.IMAGE_TAG = "{sha}-staging";
    const result = generateFrom(registry);
    expect(result.diagnostics).toEqual([]);
    const staging = result.files.find((f) => f.path.endsWith("deploy-staging.yml"))!.content;
    expect(staging).toContain("IMAGE_TAG: ${{ github.sha }}-staging");
    expect(staging).toContain('--tag "${image}:${GITHUB_SHA}-staging"');
  });
});

describe("template errors", () => {
  it("GIVEN a template with invalid YAML WHEN parsed THEN TEMPLATE_INVALID names the file and line", () => {
    const { diagnostics } = parseTemplate("steps:\n  - name: a\n    run: |\n      echo\n  - name: [b\n", "templates/deploy/post-deploy.yml");
    expect(diagnostics[0]).toMatchObject({ code: "TEMPLATE_INVALID", file: "templates/deploy/post-deploy.yml", line: expect.any(Number) });
    expect(diagnostics[0]!.line).toBeGreaterThanOrEqual(5);
  });

  it("GIVEN a template step with an unknown key WHEN parsed THEN the message lists the valid keys and the line", () => {
    const { diagnostics } = parseTemplate("steps:\n  - name: a\n    run: echo\n  - name: b\n    uses: actions/checkout@v4\n    run: echo\n", "t.yml");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "TEMPLATE_INVALID", line: 5, column: 5 });
    expect(diagnostics[0]!.message).toMatch(/unknown step key "uses" \(valid: continue-on-error, env, if, name, run, timeout-minutes\)/);
  });

  it("GIVEN a template script with an expression inside WHEN parsed THEN it is refused at that line", () => {
    const { diagnostics } = parseTemplate("steps:\n  - name: a\n    run: echo ${{ github.ref }}\n", "t.yml");
    expect(diagnostics).toEqual([expect.objectContaining({ code: "TEMPLATE_INVALID", line: 3, column: 10 })]);
  });

  it("GIVEN a template that is not a step list WHEN parsed THEN it says what a template is", () => {
    const { diagnostics } = parseTemplate("- name: a\n  run: echo\n", "t.yml");
    expect(diagnostics[0]).toMatchObject({ code: "TEMPLATE_INVALID", line: 1 });
  });
});
