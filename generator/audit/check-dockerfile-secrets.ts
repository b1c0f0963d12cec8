/**
 * A Dockerfile `ARG` or `ENV` named like a registry build secret: an ARG's value persists in the
 * image's history (and provenance), an ENV's in its configuration, so the secret would leak to
 * anyone who can pull the image. Build secrets are mounted instead, in the one RUN that needs them.
 */
import { type Diagnostic, error } from "../diagnostics.ts";
import type { AuditContext } from "./context.ts";

/** One Dockerfile instruction, with continuation lines (`\` at the end) joined, and its first line. */
interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export function dockerfileInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let joined = lines[i]!;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) joined = joined.replace(/\\\s*$/, " ") + lines[++i]!;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (m && !joined.trimStart().startsWith("#")) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: first + 1 });
  }
  return out;
}

/** Names an `ARG` or `ENV` instruction declares: `ARG A=1 B`, `ENV A=1 B=2`, or the legacy `ENV A value`. */
export function declaredNames(instruction: Instruction): string[] {
  if (instruction.keyword === "ARG") return instruction.args.split(/\s+/).filter(Boolean).map((w) => w.split("=")[0]!);
  if (instruction.keyword !== "ENV") return [];
  const words = instruction.args.trim().split(/\s+/);
  if (!words[0]?.includes("=")) return words[0] ? [words[0]] : [];
  return words.filter((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)).map((w) => w.split("=")[0]!);
}

export function checkDockerfileBuildSecrets(ctx: AuditContext): Diagnostic[] {
  // A build secret of any service is a secret in every Dockerfile: a stale ARG elsewhere would
  // invite passing it as a build argument again.
  const owners = new Map<string, string>();
  for (const s of ctx.registry.services) for (const id of Object.keys(s.buildSecrets ?? {})) if (!owners.has(id)) owners.set(id, s.name);
  if (owners.size === 0) return [];
  const out: Diagnostic[] = [];
  for (const s of ctx.registry.services) {
    if (s.image === false || !s.path || ctx.ignored(s.path)) continue;
    const file = `${s.path.replace(/\/+$/, "")}/Dockerfile`;
    const text = ctx.files.read(file);
    if (text === undefined) continue;
    for (const instruction of dockerfileInstructions(text))
      for (const name of declaredNames(instruction)) {
        if (!owners.has(name)) continue;
        const own = s.buildSecrets !== undefined && name in s.buildSecrets;
        out.push(
          error("AUDIT_BUILD_SECRET_IN_DOCKERFILE", `${instruction.keyword} ${name} carries the build secret ${name} (buildSecrets of "${owners.get(name)}"): its value would persist in the image`, {
            file,
            line: instruction.line,
            fix: `remove the ${instruction.keyword} and mount the secret in the RUN that uses it: \`RUN --mount=type=secret,id=${name},env=${name} …\`${own ? "" : `, and add ${name} to the buildSecrets of "${s.name}" in ${ctx.configFile}`}`,
          }),
        );
      }
  }
  return out;
}
