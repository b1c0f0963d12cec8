// @ts-check
/**
 * State the fake tools share within one job run (the "cluster" and the local docker images).
 * One file per object, written with temp file + rename, so calls running concurrently in the
 * background (`kubectl apply … &`) never lose each other's writes the way a shared JSON file would.
 * The harness reads the same layout back (fake-tools.ts) to report the final cluster state.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * @typedef {{ kind: string, namespace: string, name: string, manifest: Record<string, unknown>, step: string, history?: Record<string, unknown>[] }} StoredObject
 */

/**
 * @param {string} dir
 * @param {string} key
 */
function fileFor(dir, key) {
  return join(dir, `${encodeURIComponent(key)}.json`);
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeAtomic(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

/** @param {string} stateDir */
function kubeDir(stateDir) {
  const dir = join(stateDir, "kube");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** @param {string} stateDir */
function imageDir(stateDir) {
  const dir = join(stateDir, "images");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * @param {string} kind
 * @param {string} namespace
 * @param {string} name
 */
function objectKey(kind, namespace, name) {
  return `${kind}|${namespace}|${name}`;
}

/**
 * @param {string} stateDir
 * @param {StoredObject} object
 * @returns {boolean} whether it existed before (so the caller can say "configured" or "created")
 */
export function putObject(stateDir, object) {
  const file = fileFor(kubeDir(stateDir), objectKey(object.kind, object.namespace, object.name));
  const existed = existsSync(file);
  writeAtomic(file, object);
  return existed;
}

/**
 * @param {string} stateDir
 * @param {string} kind
 * @param {string} namespace
 * @param {string} name
 * @returns {StoredObject | undefined}
 */
export function getObject(stateDir, kind, namespace, name) {
  const file = fileFor(kubeDir(stateDir), objectKey(kind, namespace, name));
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/**
 * @param {string} stateDir
 * @param {string} kind
 * @param {string} namespace
 * @param {string} name
 * @returns {boolean} whether it existed
 */
export function removeObject(stateDir, kind, namespace, name) {
  const file = fileFor(kubeDir(stateDir), objectKey(kind, namespace, name));
  const existed = existsSync(file);
  rmSync(file, { force: true });
  return existed;
}

/**
 * @param {string} stateDir
 * @returns {StoredObject[]}
 */
export function listObjects(stateDir) {
  const dir = kubeDir(stateDir);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
}

/**
 * @param {string} stateDir
 * @param {string} ref normalized image reference
 */
export function addImage(stateDir, ref) {
  writeAtomic(fileFor(imageDir(stateDir), ref), { ref });
}

/**
 * @param {string} stateDir
 * @param {string} ref normalized image reference
 */
export function hasImage(stateDir, ref) {
  return existsSync(fileFor(imageDir(stateDir), ref));
}
