// @ts-check
/**
 * The data of `kubectl create secret|configmap` from --from-literal, --from-file and
 * --from-env-file, in the order given, with kubectl's key rules. --from-file paths may be process
 * substitutions (/dev/fd/63): the fd is inherited from bash, so reading the path works.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;

/**
 * @param {Array<[string, string | true]>} flags parsed flags, in command-line order
 * @param {string} cwd
 * @param {"Secret" | "ConfigMap"} kind Secret data is base64, ConfigMap data is text
 * @returns {{ data: Record<string, string> } | { error: string }}
 */
export function collectData(flags, cwd, kind) {
  /** @type {Record<string, string>} */
  const data = {};
  /** @type {string | undefined} */
  let error;
  /**
   * @param {string} key
   * @param {Buffer} content
   */
  const add = (key, content) => {
    if (error) return;
    if (!KEY_PATTERN.test(key)) {
      error = `error: "${key}" is not a valid key name for a ${kind}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`;
    } else if (key in data) {
      error = `error: cannot add key ${key}, another key by that name already exists in data`;
    } else {
      data[key] = kind === "Secret" ? content.toString("base64") : content.toString("utf8");
    }
  };
  for (const [flag, value] of flags) {
    if (error) break;
    if (!["--from-literal", "--from-file", "--from-env-file"].includes(flag)) continue;
    if (value === true) return { error: `error: flag needs an argument: ${flag}` };
    if (flag === "--from-literal") {
      const eq = value.indexOf("=");
      if (eq <= 0) return { error: `error: invalid literal source ${value}, expected key=value` };
      add(value.slice(0, eq), Buffer.from(value.slice(eq + 1)));
    } else if (flag === "--from-file") {
      const eq = value.indexOf("=");
      const path = eq > 0 ? value.slice(eq + 1) : value;
      const absolute = resolve(cwd, path);
      if (!existsSync(absolute)) return { error: `error: error reading ${path}: no such file or directory` };
      if (statSync(absolute).isDirectory()) {
        for (const entry of readdirSync(absolute).sort()) {
          const file = join(absolute, entry);
          if (statSync(file).isFile()) add(entry, readFileSync(file));
        }
      } else {
        add(eq > 0 ? value.slice(0, eq) : basename(path), readFileSync(absolute));
      }
    } else {
      const absolute = resolve(cwd, value);
      if (!existsSync(absolute)) return { error: `error: error reading ${value}: no such file or directory` };
      for (const line of readFileSync(absolute, "utf8").split("\n")) {
        const trimmed = line.trim();
        if (trimmed === "" || trimmed.startsWith("#")) continue;
        const eq = trimmed.indexOf("=");
        if (eq <= 0) return { error: `error: invalid env file line: ${trimmed}` };
        add(trimmed.slice(0, eq), Buffer.from(trimmed.slice(eq + 1)));
      }
    }
  }
  return error ? { error } : { data };
}
