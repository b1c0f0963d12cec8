/**
 * `gen:workflows add-service <name> --kind … [--secrets a,b] [--sentry] [--cronjob name=schedule]…`:
 * the seed's eight manual steps as one command. Inserts the service into the registry (ts-morph,
 * keeping comments), scaffolds its Dockerfile and manifests from templates/scaffold/, and
 * regenerates the workflows through the same code path as `gen`.
 *
 * Everything is computed and validated first (the edited registry is loaded, generated and its
 * workflows checked by GitHub's parser before anything is written), then the registry, the
 * scaffold and the workflows are written as one WriteSet: a refused request (exit 2) or a
 * generator bug (exit 3) writes nothing.
 */
import { join } from "node:path";
import { deploymentsOf } from "../plan/plan.ts";
import { parseArgs } from "node:util";
import { EXIT, type CliIo } from "../cli-types.ts";
import { usageError } from "./usage.ts";
import { prepareGeneration, reportRefusal, reportWritten } from "./generate.ts";
import { formatDiagnosticText, hasErrors, listOptions, sortDiagnostics } from "../diagnostics.ts";
import { readIfExists } from "../io.ts";
import { KIND_ORDER } from "../config/kinds.ts";
import { fixCommandFor } from "./fix-command.ts";
import { loadProject } from "./project.ts";
import type { DeployKind } from "../config/registry.ts";
import { SCAFFOLD_TEMPLATES, type ScaffoldTemplateName, scaffoldFiles } from "../scaffold/render.ts";
import { toolRoot } from "../scaffold/tool-root.ts";
import { applyWriteSet } from "../write-set.ts";

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CRON = /^\S+(\s+\S+){4}$/;

export async function runAddService(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        kind: { type: "string" },
        secrets: { type: "string" },
        sentry: { type: "boolean", default: false },
        cronjob: { type: "string", multiple: true },
        config: { type: "string" },
        root: { type: "string" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (!name || positionals.length > 1) return usageError(io, "add-service takes exactly one service name");
  if (!NAME.test(name) || name.length > 63) return refuse(io, `"${name}" is not a valid service name: lower case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
  const kind = values.kind as DeployKind | undefined;
  if (!kind || !KIND_ORDER.includes(kind)) return refuse(io, `--kind must be one of ${KIND_ORDER.join(", ")}${values.kind ? `, got "${values.kind}"` : ""}`);
  const groups = (values.secrets ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const cronjobs: { name: string; schedule: string }[] = [];
  for (const c of values.cronjob ?? []) {
    const eq = c.indexOf("=");
    const job = c.slice(0, eq);
    const schedule = c.slice(eq + 1).trim();
    if (eq === -1 || !NAME.test(job) || !CRON.test(schedule)) return refuse(io, `--cronjob "${c}" must be <name>=<cron schedule>, e.g. nightly-report="0 3 * * *"`);
    cronjobs.push({ name: job, schedule });
  }
  if (kind === "infrastructure" && (values.sentry || cronjobs.length)) return refuse(io, "an infrastructure service uses an off-the-shelf image: --sentry and --cronjob need an image this repository builds");

  const loaded = await loadProject({ config: values.config, root: values.root, format: "text" }, io);
  const { paths } = loaded;
  if (hasErrors(loaded.diagnostics) || !loaded.result.registry) {
    io.stderr(sortDiagnostics(loaded.diagnostics).map(formatDiagnosticText).join("\n") + `\ngen:workflows: ${paths.configFile} has errors; fix them before adding a service. Nothing was written.\n`);
    return EXIT.usage;
  }
  const registry = loaded.result.registry;
  if (registry.services.some((s) => s.name === name || deploymentsOf(s).includes(name))) return refuse(io, `a service named "${name}" already exists in ${paths.configFile}`);
  const knownGroups = Object.keys(registry.secretGroups);
  const unknown = groups.filter((g) => !knownGroups.includes(g));
  if (unknown.length) return refuse(io, `unknown secret group${unknown.length > 1 ? "s" : ""} ${unknown.map((g) => `"${g}"`).join(", ")} (known: ${listOptions(knownGroups)})`);

  const path = kind === "infrastructure" ? undefined : `${kind === "frontend" ? "apps" : "services"}/${name}`;
  const manifestsRoot = registry.project.manifestsRoot ?? "infra/k8s";
  const templates = readScaffoldTemplates(paths.root);
  if ("error" in templates) return refuse(io, templates.error);
  const files = scaffoldFiles(
    { name, kind, ...(path ? { path } : {}), secretKeys: groups.flatMap((g) => Object.keys(registry.secretGroups[g]!).sort().map((key) => ({ group: g, key }))), cronjobs },
    registry.project.namespace,
    manifestsRoot,
    templates.texts,
  );
  const existing = files.filter((f) => readIfExists(join(paths.root, f.path)) !== undefined);
  if (existing.length) return refuse(io, `${existing.map((f) => f.path).join(", ")} already exist${existing.length === 1 ? "s" : ""}; add-service scaffolds only new files`);

  const source = readIfExists(paths.configPath)!;
  const morph = await import("ts-morph");
  const { insertService } = await import("../scaffold/edit-registry.ts");
  const previousKind = KIND_ORDER[KIND_ORDER.indexOf(kind) - 1];
  const edited = insertService(morph, source, {
    name,
    kind,
    ...(path ? { path } : {}),
    secrets: groups,
    sentry: values.sentry,
    cronjobs,
    defaultDependsOn: previousKind ? registry.services.filter((s) => s.kind === previousKind).map((s) => s.name) : [],
  });
  if ("error" in edited) return refuse(io, edited.error);

  // The edited registry is loaded, generated and validated like `gen` does before anything is
  // written; then the registry, the scaffold and the workflows are written as one.
  const genOptions = { config: paths.configPath, root: paths.root, format: "text", check: false, force: false } as const;
  const prepared = await prepareGeneration(genOptions, io, { registryText: edited.text });
  switch (prepared.status) {
    case "config-error":
      io.stderr(sortDiagnostics(prepared.diagnostics).map(formatDiagnosticText).join("\n") + `\ngen:workflows: adding "${name}" would make ${paths.configFile} invalid; nothing was written.\n`);
      return EXIT.usage;
    case "unmanaged":
      return refuse(io, `${prepared.blocked.map((d) => d.path).join(", ")} exist but were not generated by gen:workflows; run \`${fixCommandFor({ config: values.config, root: values.root }, io).gen("--force")}\` first`);
    case "invalid":
      return reportRefusal(prepared, genOptions, io);
  }
  applyWriteSet([{ path: paths.configPath, content: edited.text }, ...files.map((f) => ({ path: join(paths.root, f.path), content: f.content })), ...prepared.writes]);
  for (const f of files) io.stdout(`created ${f.path}\n`);
  io.stdout(`added "${name}" (${kind}) to ${paths.configFile}\n`);
  const code = reportWritten(prepared, genOptions, io);
  io.stdout(
    `Next: implement ${path ? `${path}/ (a /health endpoint answers the probes)` : "the manifest"}, review ${manifestsRoot}/${name}/deployment.yaml` +
      `${kind === "backend" ? ", add a proxy route in the API gateway if it is called through the API" : ""}, then commit.\n`,
  );
  return code;
}

function refuse(io: CliIo, message: string): number {
  io.stderr(`gen:workflows: add-service: ${message}. Nothing was written.\n`);
  return EXIT.usage;
}

/** The repository's templates/scaffold/ files where they exist, else the tool's own. */
function readScaffoldTemplates(root: string): { texts: Record<ScaffoldTemplateName, string> } | { error: string } {
  const texts = {} as Record<ScaffoldTemplateName, string>;
  for (const [name, rel] of Object.entries(SCAFFOLD_TEMPLATES) as [ScaffoldTemplateName, string][]) {
    const text = readIfExists(join(root, "templates", rel)) ?? readIfExists(join(toolRoot(), "templates", rel));
    if (text === undefined) return { error: `scaffold template templates/${rel} not found` };
    texts[name] = text;
  }
  return { texts };
}
