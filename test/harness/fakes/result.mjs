// @ts-check
/**
 * The contract between the fake-tool entry point and each tool: a handler gets the call's
 * context and returns what the process prints and its exit code. Handlers never write to the
 * console themselves, so the entry point can log the call before any output reaches a pipe.
 */

/**
 * @typedef {object} ToolIO
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 * @property {string | undefined} stdin what was read from stdin, when the call reads it
 * @property {string} stateDir
 * @property {string} step
 */

/** @typedef {{ exitCode: number, stdout: string, stderr: string }} ToolResult */

/** @typedef {(args: string[], io: ToolIO) => ToolResult | Promise<ToolResult>} ToolHandler */

/**
 * @param {string} [stdout]
 * @returns {ToolResult}
 */
export function ok(stdout = "") {
  return { exitCode: 0, stdout, stderr: "" };
}

/**
 * @param {string} message
 * @param {number} [exitCode]
 * @returns {ToolResult}
 */
export function fail(message, exitCode = 1) {
  return { exitCode, stdout: "", stderr: message.endsWith("\n") ? message : `${message}\n` };
}
