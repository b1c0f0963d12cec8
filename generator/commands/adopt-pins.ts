/**
 * `gen:workflows --adopt-pins`: Dependabot and Renovate bump `uses:` refs inside the generated
 * workflows, and the next `gen` would revert them. This takes the bumped refs of every file whose
 * only difference is action refs into `project.actionPins` of the registry, then regenerates, so
 * `--check` passes and later `gen` runs keep the new pins.
 *
 * It refuses while any generated file holds a hand edit (regenerating would discard it), and it
 * writes the registry and the regenerated workflows as one WriteSet, after the edited registry
 * has loaded, generated and passed GitHub's parser: any failure writes nothing.
 */
import { join } from "node:path";
import { findDrift } from "../check/check.ts";
import { EXIT, type CliIo, type CommonOptions } from "../cli-types.ts";
import { type GenerateOptions, prepareGeneration, reportRefusal, reportWritten, runGenerate } from "./generate.ts";
import { type Diagnostic, error, formatDiagnosticAnnotation, formatDiagnosticText, hasErrors, JSON_SCHEMA_VERSION, sortDiagnostics } from "../diagnostics.ts";
import { listWorkflowFiles, readIfExists } from "../io.ts";
import { adoptablePins, type AdoptedPin } from "../check/pins/adoptable.ts";
import { fixCommandFor } from "./fix-command.ts";
import { loadProject } from "./project.ts";
import { applyWriteSet } from "../write-set.ts";

export async function runAdoptPins(options: CommonOptions, io: CliIo): Promise<number> {
  const genOptions: GenerateOptions = { ...options, check: false, force: false };
  const { paths, result, diagnostics } = await loadProject(options, io);
  // A registry that does not load or validate is reported by gen itself, the same way as always (it writes nothing).
  if (hasErrors(diagnostics) || result.files.length === 0) return runGenerate(genOptions, io);

  const onDisk = new Map<string, string | undefined>();
  const others = listWorkflowFiles(paths.root);
  for (const p of new Set([...result.files.map((f) => f.path), ...others])) onDisk.set(p, readIfExists(join(paths.root, p)));
  const drifts = findDrift(result.files, onDisk, others);
  const cmd = fixCommandFor(options, io);
  // Regenerating would silently discard a hand edit in any generated file, not only in the bumped ones.
  const handEdits = drifts
    .filter((d) => d.kind === "edited" || d.kind === "stale-and-edited")
    .map((d) =>
      error(
        "PIN_HAND_EDITED_WORKFLOW",
        d.kind === "edited"
          ? `${d.path} was edited by hand beyond action pins; --adopt-pins regenerates it and would discard the edit`
          : `${d.path} was edited by hand and is out of date, so the edit cannot be told apart from a pin bump; --adopt-pins regenerates it and would discard the edit`,
        {
        file: d.path,
          fix: `move that edit into ${paths.configFile} or templates/ (or revert it), then run \`${cmd.gen("--adopt-pins")}\` again; \`${cmd.gen("--check")}\` shows the edit`,
        },
      ),
    );
  if (handEdits.length) return fail(handEdits, EXIT.drift, "no pin was adopted and nothing was written", options, io);
  const { pins, diagnostics: problems } = adoptablePins(drifts, cmd);
  if (problems.length) return fail(problems, EXIT.drift, "no pin was adopted and nothing was written", options, io);

  let registryText: string | undefined;
  if (pins.length) {
    const source = readIfExists(paths.configPath);
    const { writeActionPins } = await import("../check/pins/registry-edit.ts");
    const edited = source === undefined ? { error: "the registry file is gone" } : await writeActionPins(source, pins);
    if ("error" in edited) {
      const d = error("PIN_REGISTRY_NOT_EDITABLE", `cannot add the pins to ${paths.configFile}: ${edited.error}`, {
        file: paths.configFile,
        fix: `add them to project.actionPins by hand: ${pins.map((p) => `"${p.action}": { sha: "${p.sha}", version: "${p.version}" }`).join(", ")}`,
      });
      return fail([d], EXIT.usage, "nothing was written", options, io);
    }
    registryText = edited.text;
  }

  // gen's own output goes to stdout directly in text mode, and into the envelope's `generate` in JSON.
  let captured = "";
  const genIo: CliIo = options.format === "json" ? { ...io, stdout: (t) => void (captured += t) } : io;
  const prepared = await prepareGeneration(genOptions, genIo, registryText === undefined ? {} : { registryText });
  let code: number;
  let adopted: AdoptedPin[] = [];
  if (prepared.status !== "ready") code = reportRefusal(prepared, genOptions, genIo);
  else {
    applyWriteSet([...(registryText === undefined ? [] : [{ path: paths.configPath, content: registryText }]), ...prepared.writes]);
    adopted = pins;
    if (options.format === "text") {
      for (const p of pins) io.stdout(`adopted ${p.action}@${p.sha} (${p.version}) into ${paths.configFile} project.actionPins (from ${describeSources(p)})\n`);
      if (!pins.length) io.stdout("no generated workflow differs only in action pins; nothing to adopt.\n");
    }
    code = reportWritten(prepared, genOptions, genIo);
  }
  if (options.format === "json") {
    const status = prepared.status !== "ready" ? "not-adopted" : pins.length ? "adopted" : "nothing-to-adopt";
    io.stdout(
      JSON.stringify(
        {
          schemaVersion: JSON_SCHEMA_VERSION,
          command: "adopt-pins",
          status,
          registry: paths.configFile,
          adopted: adopted.map((p) => ({ action: p.action, sha: p.sha, version: p.version, from: p.from })),
          generate: captured.trim() ? (JSON.parse(captured) as unknown) : null,
        },
        null,
        2,
      ) + "\n",
    );
  }
  return code;
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
