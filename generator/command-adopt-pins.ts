/**
 * `gen:workflows --adopt-pins`: Dependabot and Renovate bump `uses:` refs inside the generated
 * workflows, and the next `gen` would revert them. This takes the bumped refs of every file whose
 * only difference is action refs into `project.actionPins` of the registry, then regenerates, so
 * `--check` passes and later `gen` runs keep the new pins.
 */
import { join } from "node:path";
import { findDrift } from "./check.ts";
import { EXIT, type CliIo, type CommonOptions } from "./cli-types.ts";
import { runGenerate } from "./command-generate.ts";
import { type Diagnostic, error, formatDiagnosticAnnotation, formatDiagnosticText, hasErrors, JSON_SCHEMA_VERSION, sortDiagnostics } from "./diagnostics.ts";
import { listWorkflowFiles, readIfExists, writeAtomic } from "./io.ts";
import { adoptablePins, type AdoptedPin } from "./pins/adoptable.ts";
import { loadProject } from "./project.ts";

export async function runAdoptPins(options: CommonOptions, io: CliIo): Promise<number> {
  const regenerate = (): Promise<number> => runGenerate({ ...options, check: false, force: false }, io);
  const { paths, result, diagnostics } = await loadProject(options, io);
  // A registry that does not load or validate is reported by gen itself, the same way as always.
  if (hasErrors(diagnostics) || result.files.length === 0) return regenerate();

  const onDisk = new Map<string, string | undefined>();
  const others = listWorkflowFiles(paths.root);
  for (const p of new Set([...result.files.map((f) => f.path), ...others])) onDisk.set(p, readIfExists(join(paths.root, p)));
  const { pins, diagnostics: problems } = adoptablePins(findDrift(result.files, onDisk, others));
  if (problems.length) return fail(problems, EXIT.drift, "no pin was adopted and nothing was written", options, io);

  if (pins.length) {
    const source = readIfExists(paths.configPath);
    const { writeActionPins } = await import("./pins/registry-edit.ts");
    const edited = source === undefined ? { error: "the registry file is gone" } : await writeActionPins(source, pins);
    if ("error" in edited) {
      const d = error("PIN_REGISTRY_NOT_EDITABLE", `cannot add the pins to ${paths.configFile}: ${edited.error}`, {
        file: paths.configFile,
        fix: `add them to project.actionPins by hand: ${pins.map((p) => `"${p.action}": { sha: "${p.sha}", version: "${p.version}" }`).join(", ")}`,
      });
      return fail([d], EXIT.usage, "nothing was written", options, io);
    }
    writeAtomic(paths.configPath, edited.text);
  }
  if (options.format === "json") return withJsonEnvelope(pins, paths.configFile, options, io);
  for (const p of pins) io.stdout(`adopted ${p.action}@${p.sha} (${p.version}) into ${paths.configFile} project.actionPins (from ${describeSources(p)})\n`);
  if (!pins.length) io.stdout("no generated workflow differs only in action pins; nothing to adopt.\n");
  return regenerate();
}

function describeSources(p: AdoptedPin): string {
  return [...new Set(p.from.map((f) => f.file))].join(", ");
}

function fail(problems: Diagnostic[], code: number, outcome: string, options: CommonOptions, io: CliIo): number {
  const sorted = sortDiagnostics(problems);
  if (options.format === "json")
    io.stdout(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "adopt-pins", status: "not-adopted", diagnostics: sorted, adopted: [] }, null, 2) + "\n");
  else io.stderr(`${sorted.map(formatDiagnosticText).join("\n")}\ngen:workflows: ${outcome}.\n`);
  if (io.env.GITHUB_ACTIONS === "true") io.stdout(sorted.map(formatDiagnosticAnnotation).join("\n") + "\n");
  return code;
}

/** One JSON document: the pins adopted, and gen's own document under `generate`. */
async function withJsonEnvelope(pins: AdoptedPin[], configFile: string, options: CommonOptions, io: CliIo): Promise<number> {
  let captured = "";
  const inner: CliIo = { ...io, stdout: (t) => void (captured += t) };
  const code = await runGenerate({ ...options, check: false, force: false }, inner);
  const generate = captured.trim() ? (JSON.parse(captured) as unknown) : null;
  io.stdout(
    JSON.stringify(
      {
        schemaVersion: JSON_SCHEMA_VERSION,
        command: "adopt-pins",
        status: pins.length ? "adopted" : "nothing-to-adopt",
        registry: configFile,
        adopted: pins.map((p) => ({ action: p.action, sha: p.sha, version: p.version, from: p.from })),
        generate,
      },
      null,
      2,
    ) + "\n",
  );
  return code;
}
