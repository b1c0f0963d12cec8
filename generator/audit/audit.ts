/**
 * `gen:workflows audit`: the repository against the registry, after the reference customer's
 * audit checklist. Pure: reads only through the injected RepoFiles; returns findings (ordinary
 * Diagnostics with AUDIT_* codes) and what was checked, for the summary line.
 */
import { type Diagnostic, error, sortDiagnostics, warning } from "../diagnostics.ts";
import { checkDockerfileBuildSecrets } from "./check-dockerfile-secrets.ts";
import { checkAppliedFilesExist, checkManifestsApplied, checkServiceFolders } from "./check-folders.ts";
import { checkIngressNginx } from "./check-ingress-nginx.ts";
import { checkSecrets } from "./check-secrets.ts";
import { checkSourceFolders, SOURCE_ROOTS } from "./check-source.ts";
import { checkManifestVariables } from "./check-variables.ts";
import { checkWorkloads } from "./check-workloads.ts";
import { type AuditInput, auditContext } from "./context.ts";
import { isManifestFile, walkFiles } from "./repo-files.ts";
import { DEFAULT_FIX_COMMAND } from "../check/user-command.ts";

export interface AuditChecked {
  /** Registered services (and how many of them build an image). */
  services: number;
  builtServices: number;
  /** `services/*` and `apps/*` folders found. */
  sourceFolders: number;
  /** Manifest files under the manifests root, and how many of them the content checks read. */
  manifestFiles: number;
  serviceManifests: number;
  workflows: number;
  /** Whether the repository has the source tree at all (services/, apps/ or the manifests root). */
  sourceTree: boolean;
}

export interface AuditResult {
  diagnostics: Diagnostic[];
  checked: AuditChecked;
}

export function auditRepository(input: AuditInput): AuditResult {
  const ctx = auditContext(input);
  const sourceFolders = SOURCE_ROOTS.flatMap((r) => input.files.list(r).filter((e) => e.directory));
  const manifestFiles = walkFiles(input.files, ctx.manifestsRoot).filter(isManifestFile);
  const sourceTree = SOURCE_ROOTS.some((r) => input.files.exists(r)) || input.files.exists(ctx.manifestsRoot);
  const checked: AuditChecked = {
    services: input.registry.services.length,
    builtServices: input.registry.services.filter((s) => s.image !== false).length,
    sourceFolders: sourceFolders.length,
    manifestFiles: manifestFiles.length,
    serviceManifests: ctx.serviceManifests.length,
    workflows: input.workflows.filter((w) => /\.ya?ml$/.test(w.path)).length,
    sourceTree,
  };
  if (!sourceTree) {
    // A repository holding only the registry (like this tool's own): dozens of "missing" errors
    // would say nothing the one notice does not.
    return {
      checked,
      diagnostics: [
        // The cluster prerequisites are in the repository (or built in) even without a source tree.
        ...checkIngressNginx(input),
        warning(
          "AUDIT_SOURCE_TREE_MISSING",
          `no ${SOURCE_ROOTS.map((r) => `${r}/`).join(", ")} or ${ctx.manifestsRoot}/ folder in this repository: the ${checked.services} services of the registry cannot be checked against Dockerfiles and manifests`,
          { file: input.configFile, fix: `run the audit in the monorepo the registry describes: \`${(input.fixCommand ?? DEFAULT_FIX_COMMAND).subcommand("audit", "--root <checkout> --config <checkout>/services.config.ts", false)}\`` },
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  for (const file of manifestFiles) {
    const parsed = ctx.ignored(file) ? undefined : ctx.manifest(file);
    if (parsed?.error)
      diagnostics.push(
        error("AUDIT_MANIFEST_INVALID_YAML", `does not parse as YAML: ${parsed.error.message}`, {
          file,
          line: parsed.error.line,
          column: parsed.error.column,
          fix: "fix the YAML syntax (`kubectl apply` would reject the file)",
        }),
      );
  }
  diagnostics.push(
    ...checkSourceFolders(ctx),
    ...checkServiceFolders(ctx),
    ...checkManifestsApplied(ctx),
    ...checkAppliedFilesExist(ctx),
    ...checkSecrets(ctx),
    ...checkWorkloads(ctx),
    ...checkManifestVariables(ctx),
    ...checkDockerfileBuildSecrets(ctx),
    ...checkIngressNginx(ctx),
  );
  return { checked, diagnostics: sortDiagnostics(diagnostics) };
}

export function checkedSummary(c: AuditChecked): string {
  if (!c.sourceTree) return `checked the registry (${c.services} services) and its ${c.workflows} generated workflows; no source tree to compare them with`;
  return `checked ${c.services} registered services (${c.builtServices} built), ${c.sourceFolders} source folders, ${c.manifestFiles} manifests (${c.serviceManifests} of deployed services read in full) and ${c.workflows} generated workflows`;
}
