/** Source folders vs the registry: every Dockerfile folder is registered, every built service has its Dockerfile. */
import { type Diagnostic, error } from "../diagnostics.ts";
import type { AuditContext } from "./context.ts";
import { joinPath } from "./repo-files.ts";
import { DEFAULT_FIX_COMMAND } from "../check/user-command.ts";

/** Where the monorepo keeps services and apps (the reference layout). */
export const SOURCE_ROOTS = ["services", "apps"] as const;

export function checkSourceFolders(ctx: AuditContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const registeredPaths = new Set(ctx.registry.services.flatMap((s) => (s.path ? [s.path.replace(/\/+$/, "")] : [])));
  for (const root of SOURCE_ROOTS)
    for (const entry of ctx.files.list(root)) {
      const dir = joinPath(root, entry.name);
      if (!entry.directory || ctx.ignored(dir) || registeredPaths.has(dir) || !ctx.files.exists(`${dir}/Dockerfile`)) continue;
      out.push(
        error("AUDIT_SERVICE_UNREGISTERED", `${dir}/ has a Dockerfile, but no service in ${ctx.configFile} builds it (no service has path "${dir}")`, {
          file: `${dir}/Dockerfile`,
          line: 1,
          fix: `register it: \`${(ctx.fixCommand ?? DEFAULT_FIX_COMMAND).subcommand("add-service", `${entry.name} --kind backend`)}\` (or add "${dir}" to project.auditIgnore if it is not deployed)`,
        }),
      );
    }
  ctx.registry.services.forEach((s, i) => {
    if (s.image === false || !s.path || ctx.ignored(s.path)) return;
    if (ctx.files.exists(`${s.path.replace(/\/+$/, "")}/Dockerfile`)) return;
    out.push(
      error("AUDIT_DOCKERFILE_MISSING", `${s.name} is built from ${s.path}/Dockerfile, which does not exist`, {
        file: ctx.configFile,
        path: `services[${i}].path`,
        ...lineOf(ctx.serviceLine(s.name, "path")),
        fix: `create ${s.path}/Dockerfile (multi-stage, with a \`production\` target), or correct the service's path`,
      }),
    );
  });
  return out;
}

export function lineOf(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}
