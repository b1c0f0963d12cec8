/**
 * Manifests folders vs the registry and the generated workflows: each deployed service has its
 * deployment.yaml with a Deployment of the expected name and a Service; each folder with
 * manifests is registered or ignored; each cronjob and job file on disk is applied (`kubectl
 * apply -f dir/` does not read nested folders), and each registered one exists.
 */
import { type Diagnostic, error } from "../diagnostics.ts";
import type { Service } from "../config/registry.ts";
import { deploymentsOf } from "../plan/plan.ts";
import { lineOf } from "./check-source.ts";
import { type AuditContext, dirOf } from "./context.ts";
import { isManifestFile, joinPath, walkFiles } from "./repo-files.ts";

export function checkServiceFolders(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [dir, s] of ctx.serviceByDir) {
    if (ctx.ignored(dir)) continue;
    const index = ctx.registry.services.indexOf(s);
    const file = `${dir}/deployment.yaml`;
    const expectedAll = deploymentsOf(s);
    const expected = expectedAll[0]!;
    const manifest = ctx.manifest(file);
    if (!manifest) {
      out.push(
        error("AUDIT_DEPLOYMENT_MISSING", `${s.name} is deployed from ${dir}/, but ${file} does not exist`, {
          file: ctx.configFile,
          path: `services[${index}]`,
          ...lineOf(ctx.serviceLine(s.name)),
          fix: `create ${file} with a Deployment named "${expected}" and a Service (see infra/k8s/api-gateway/deployment.yaml)`,
        }),
      );
    } else if (!manifest.error) {
      const deployments = manifest.docs.filter((d) => d.kind === "Deployment");
      // Further Deployments (a worker beside its API) may live in the folder's other files: `kubectl apply -f dir/` applies them all.
      const inFolder = new Set(
        ctx.files
          .list(dir)
          .filter((e) => !e.directory && isManifestFile(e.name))
          .flatMap((e) => ctx.manifest(joinPath(dir, e.name))?.docs ?? [])
          .filter((d) => d.kind === "Deployment")
          .map((d) => d.name),
      );
      if (deployments.length === 0 && expectedAll.length === 1)
        out.push(
          error("AUDIT_DEPLOYMENT_MISSING", `${file} holds no Deployment; the workflow waits for deployment/${expected}`, {
            file,
            line: 1,
            fix: `add a Deployment named "${expected}"`,
          }),
        );
      else if (expectedAll.length === 1 && !deployments.some((d) => d.name === expected)) {
        const d = deployments[0]!;
        out.push(
          error("AUDIT_DEPLOYMENT_NAME_MISMATCH", `the Deployment is named "${d.name ?? ""}", but the workflow waits for deployment/${expected}`, {
            file,
            line: d.lineAt(["metadata", "name"]),
            fix: d.name ? `rename it to "${expected}", or set \`deployment: "${d.name}"\` on ${s.name} in ${ctx.configFile}` : `name it "${expected}"`,
          }),
        );
      } else
        expectedAll.forEach((name, j) => {
          if (expectedAll.length === 1 || inFolder.has(name)) return;
          const found = [...inFolder].filter((n): n is string => typeof n === "string" && !expectedAll.includes(n));
          out.push(
            error("AUDIT_DEPLOYMENT_MISSING", `no manifest in ${dir}/ holds the Deployment "${name}" the workflow waits for`, {
              file: ctx.configFile,
              path: `services[${index}].deployment[${j}]`,
              ...lineOf(ctx.serviceLine(s.name)),
              fix: found.length ? `name one of ${found.map((n) => `"${n}"`).join(", ")} "${name}", or correct the list` : `add a Deployment named "${name}" to ${dir}/, or remove it from the list`,
            }),
          );
        });
      if (!manifest.docs.some((d) => d.kind === "Service"))
        out.push(
          error("AUDIT_SERVICE_MANIFEST_MISSING", `${file} holds no Service, so nothing can reach ${s.name}`, {
            file,
            line: 1,
            fix: `add a Service selecting \`app: ${expected}\` after the Deployment (separated by \`---\`)`,
          }),
        );
    }
    out.push(...registeredFilesMissing(ctx, s, index, dir));
  }
  return out;
}

function registeredFilesMissing(ctx: AuditContext, s: Service, index: number, dir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  (s.cronjobs ?? []).forEach((c, i) => {
    const file = `${dir}/cronjobs/${c.name}.yaml`;
    if (!ctx.files.exists(file))
      out.push(
        error("AUDIT_CRONJOB_FILE_MISSING", `cronjob "${c.name}" of ${s.name} is registered, but ${file} does not exist`, {
          file: ctx.configFile,
          path: `services[${index}].cronjobs[${i}]`,
          ...lineOf(ctx.serviceLine(s.name, c.name)),
          fix: `create ${file} (a CronJob named "${c.name}"), or remove the cronjob from the registry`,
        }),
      );
  });
  (s.jobs ?? []).forEach((j, i) => {
    const file = `${dir}/jobs/${j.name}.yaml`;
    if (!ctx.files.exists(file))
      out.push(
        error("AUDIT_JOB_FILE_MISSING", `one-time job "${j.name}" of ${s.name} is registered, but ${file} does not exist`, {
          file: ctx.configFile,
          path: `services[${index}].jobs[${i}]`,
          ...lineOf(ctx.serviceLine(s.name, j.name)),
          fix: `create ${file} (a Job named "${j.name}"), or remove the job from the registry`,
        }),
      );
  });
  return out;
}

/** Every manifest under the manifests root: applied by some workflow, or reported. */
export function checkManifestsApplied(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const skippedDirs = new Set<string>();
  for (const top of ctx.files.list(ctx.manifestsRoot)) {
    if (!top.directory) continue;
    const folder = joinPath(ctx.manifestsRoot, top.name);
    if (ctx.ignored(folder)) continue;
    const files = walkFiles(ctx.files, folder).filter((f) => isManifestFile(f) && !ctx.ignored(f));
    if (files.length === 0) continue;
    const owners = [...ctx.serviceByDir.keys()].filter((d) => d === folder || d.startsWith(`${folder}/`));
    const appliedHere = files.some((f) => ctx.appliedIn(f).length > 0);
    if (owners.length === 0 && !appliedHere) {
      out.push(
        error("AUDIT_MANIFEST_FOLDER_UNREGISTERED", `${folder}/ holds ${files.length} manifest${files.length === 1 ? "" : "s"}, but no service in ${ctx.configFile} deploys it and no workflow applies it`, {
          file: files[0]!,
          line: 1,
          fix: `register the service whose manifests these are (\`manifests: "${folder.slice(ctx.manifestsRoot.length + 1)}"\`), delete the folder, or add "${folder}" to project.auditIgnore`,
        }),
      );
      continue;
    }
    for (const file of files) {
      if (ctx.appliedIn(file).length > 0) continue;
      const owner = owners.find((d) => file.startsWith(`${d}/`));
      if (!owner) continue; // a folder the templates apply file by file: its other files are its business
      const service = ctx.serviceByDir.get(owner)!.name;
      const rest = file.slice(owner.length + 1);
      if (/^cronjobs\/[^/]+$/.test(rest))
        out.push(
          error("AUDIT_CRONJOB_NOT_APPLIED", `${file} is on disk, but no workflow applies it: ${service} does not register cronjob "${baseName(file)}"`, {
            file,
            line: 1,
            fix: `add \`{ name: "${baseName(file)}", schedule: "…" }\` to ${service}'s cronjobs in ${ctx.configFile}, or delete the file`,
          }),
        );
      else if (/^jobs\/[^/]+$/.test(rest))
        out.push(
          error("AUDIT_JOB_NOT_APPLIED", `${file} is on disk, but no workflow applies it: ${service} does not register job "${baseName(file)}"`, {
            file,
            line: 1,
            fix: `add \`{ name: "${baseName(file)}" }\` to ${service}'s jobs in ${ctx.configFile}, or delete the file`,
          }),
        );
      else if (!skippedDirs.has(dirOf(file))) {
        skippedDirs.add(dirOf(file));
        out.push(
          error("AUDIT_NESTED_FOLDER_SKIPPED", `${dirOf(file)}/ is nested in ${owner}/, and \`kubectl apply -f ${owner}/\` does not read nested folders: its manifests are never applied`, {
            file,
            line: 1,
            fix: `move the manifests up into ${owner}/, or into cronjobs/ or jobs/ and register them on ${service}`,
          }),
        );
      }
    }
  }
  return out;
}

/** Files the workflows apply by name (ingress, the templates' manifests) must exist. */
export function checkAppliedFilesExist(ctx: AuditContext): Diagnostic[] {
  const registeredFiles = new Set(ctx.plans.flatMap((p) => [...p.phases.flatMap((ph) => ph.units.flatMap((u) => u.cronjobFiles)), ...p.jobs.map((j) => j.file)]));
  const out: Diagnostic[] = [];
  for (const target of [...ctx.appliedTargets].sort()) {
    const folder = target.endsWith("/");
    const path = target.replace(/\/$/, "");
    if (registeredFiles.has(path) || ctx.serviceByDir.has(path) || ctx.ignored(path) || ctx.files.exists(path)) continue;
    const where = ctx.plans.find((p) => p.ingressManifest === path);
    // A template's step applies it: point at the line of the generated workflow that does.
    const workflow = ctx.workflows.find((w) => w.content.includes(target));
    const at = where
      ? { file: ctx.configFile, ...lineOf(ctx.registryLine(where.environment, "ingressManifest")) }
      : workflow
        ? { file: workflow.path, line: workflow.content.slice(0, workflow.content.indexOf(target)).split("\n").length }
        : { file: "templates/" };
    out.push(
      error("AUDIT_APPLIED_FILE_MISSING", `the workflows apply ${target}, which does not exist${where ? " (the ingress manifest)" : ""}`, {
        ...at,
        fix: where
          ? `create ${path}, or correct ingressManifest of environment ${where.environment}`
          : `create ${folder ? "the folder" : "the file"}, or remove the step that applies it from templates/`,
      }),
    );
  }
  return out;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "");
}
