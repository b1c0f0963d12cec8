// @ts-check
/**
 * Fake docker with a local image store: `build -t` creates images, `tag` needs its source image,
 * `push` needs the image to exist, mirroring the daemon's errors. Build checks the context and
 * Dockerfile paths and the --target stage, because those are the mistakes a workflow can make
 * that the real build would reject before doing any work.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { flagValue, flagValues, hasFlag, parseArgs } from "./args.mjs";
import { fail, ok } from "./result.mjs";
import { addImage, hasImage } from "./state.mjs";

/** @typedef {import("./result.mjs").ToolIO} ToolIO */
/** @typedef {import("./result.mjs").ToolResult} ToolResult */

const BUILD_VALUE_FLAGS = new Set([
  "-f", "--file", "-t", "--tag", "--target", "--build-arg", "--platform", "--label", "--cache-from", "--cache-to",
  "--secret", "--ssh", "--network", "--progress", "-o", "--output", "--iidfile", "--metadata-file", "--builder",
  "--build-context", "--provenance", "--sbom",
]);

/**
 * `repo/name` means `repo/name:latest`, as the daemon resolves it.
 * @param {string} ref
 */
export function normalizeImageRef(ref) {
  if (ref.includes("@")) return ref;
  return ref.lastIndexOf(":") > ref.lastIndexOf("/") ? ref : `${ref}:latest`;
}

/**
 * @param {string} dockerfile text
 * @returns {string[]} lower-cased stage names declared with `FROM … AS name`
 */
function stageNames(dockerfile) {
  return [...dockerfile.matchAll(/^\s*FROM\s+\S+(?:\s+--\S+)*\s+AS\s+(\S+)/gim)].map((m) => (m[1] ?? "").toLowerCase());
}

/**
 * @param {string[]} args arguments after "build"
 * @param {ToolIO} io
 * @returns {ToolResult}
 */
function build(args, io) {
  const parsed = parseArgs(args, BUILD_VALUE_FLAGS);
  if (parsed.positional.length !== 1) return fail(`ERROR: "docker buildx build" requires exactly 1 argument.`);
  const context = parsed.positional[0] ?? ".";
  if (context !== "-" && !/^[a-z]+:\/\//.test(context)) {
    const contextDir = resolve(io.cwd, context);
    if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
      return fail(`ERROR: unable to prepare context: path "${context}" not found`);
    }
    const dockerfileArg = flagValue(parsed, "-f", "--file");
    const dockerfile = dockerfileArg ? resolve(io.cwd, dockerfileArg) : join(contextDir, "Dockerfile");
    if (!existsSync(dockerfile)) {
      return fail(`ERROR: failed to solve: failed to read dockerfile: open ${dockerfileArg ?? "Dockerfile"}: no such file or directory`);
    }
    const target = flagValue(parsed, "--target");
    if (target && !stageNames(readFileSync(dockerfile, "utf8")).includes(target.toLowerCase())) {
      return fail(`ERROR: failed to solve: target stage "${target}" could not be found`);
    }
  }
  const tags = flagValues(parsed, "-t", "--tag").map(normalizeImageRef);
  for (const tag of tags) addImage(io.stateDir, tag);
  const pushed = hasFlag(parsed, "--push") ? tags.map((tag) => `#9 pushing ${tag} done\n`).join("") : "";
  return ok(`#0 building with "default" instance using docker driver\n${tags.map((t) => `#8 naming to ${t} done\n`).join("")}${pushed}`);
}

/**
 * @param {string[]} args
 * @param {ToolIO} io
 * @returns {ToolResult}
 */
function tag(args, io) {
  const [source, target] = args.filter((a) => !a.startsWith("-"));
  if (!source || !target) return fail(`"docker tag" requires exactly 2 arguments.`);
  if (!hasImage(io.stateDir, normalizeImageRef(source))) return fail(`Error response from daemon: No such image: ${source}`);
  addImage(io.stateDir, normalizeImageRef(target));
  return ok();
}

/**
 * @param {string[]} args
 * @param {ToolIO} io
 * @returns {ToolResult}
 */
function push(args, io) {
  const [ref] = args.filter((a) => !a.startsWith("-"));
  if (!ref) return fail(`"docker push" requires exactly 1 argument.`);
  const normalized = normalizeImageRef(ref);
  if (!hasImage(io.stateDir, normalized)) return fail(`An image does not exist locally with the tag: ${ref}`);
  const colon = normalized.lastIndexOf(":");
  const digest = createHash("sha256").update(normalized).digest("hex");
  return ok(`The push refers to repository [${normalized.slice(0, colon)}]\n${normalized.slice(colon + 1)}: digest: sha256:${digest} size: 1570\n`);
}

/** @type {import("./result.mjs").ToolHandler} */
export function docker(args, io) {
  let words = args;
  if (words[0] === "buildx" || words[0] === "image") words = words.slice(1);
  const [command = "", ...rest] = words;
  switch (command) {
    case "build":
      return build(rest, io);
    case "tag":
      return tag(rest, io);
    case "push":
      return push(rest, io);
    case "pull":
      for (const ref of rest.filter((a) => !a.startsWith("-"))) addImage(io.stateDir, normalizeImageRef(ref));
      return ok();
    case "login":
      return ok("Login Succeeded\n");
    default:
      return ok();
  }
}

/** @param {string[]} args */
export function dockerReadsStdin(args) {
  return args.includes("--password-stdin");
}
