/**
 * A WriteSet changes several files as one: GIVEN any failure WHEN it is applied THEN no target
 * is changed and no temporary file is left behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { applyWriteSet } from "../../generator/write-set.ts";
import { snapshotTree } from "../support/temp-repo.ts";

afterEach(() => {
  vi.doUnmock("node:fs");
  vi.resetModules();
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "gen-write-set-"));
  writeFileSync(join(dir, "first.yml"), "first: old\n");
  writeFileSync(join(dir, "gone.yml"), "gone: old\n");
  return dir;
}

describe("applyWriteSet", () => {
  it("GIVEN writes, a new nested file and a deletion WHEN applied THEN every target has its new content and the deleted file is gone", () => {
    const dir = folder();
    applyWriteSet([
      { path: join(dir, "first.yml"), content: "first: new\n" },
      { path: join(dir, "a/b/new.yml"), content: "new: yes\n" },
      { path: join(dir, "gone.yml"), delete: true },
    ]);
    expect(snapshotTree(dir)).toEqual(
      new Map([
        ["first.yml", "first: new\n"],
        [join("a", "b", "new.yml"), "new: yes\n"],
      ]),
    );
  });

  it("GIVEN the second target is a directory WHEN applied THEN it throws, the first target is unchanged, nothing is deleted and no temporary file is left", () => {
    const dir = folder();
    mkdirSync(join(dir, "second.yml"));
    writeFileSync(join(dir, "second.yml", "inside"), "keep\n");
    const before = snapshotTree(dir);
    expect(() =>
      applyWriteSet([
        { path: join(dir, "first.yml"), content: "first: new\n" },
        { path: join(dir, "second.yml"), content: "second: new\n" },
        { path: join(dir, "gone.yml"), delete: true },
      ]),
    ).toThrow(/second\.yml/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it("GIVEN a target whose folder cannot be created (a file is in the way) WHEN applied THEN the folders it created and its temporary files are removed", () => {
    const dir = folder();
    writeFileSync(join(dir, "blocker"), "a file, not a folder\n");
    const before = snapshotTree(dir);
    expect(() =>
      applyWriteSet([
        { path: join(dir, "first.yml"), content: "first: new\n" },
        { path: join(dir, "fresh/deep/new.yml"), content: "new\n" },
        { path: join(dir, "blocker/x.yml"), content: "x\n" },
      ]),
    ).toThrow();
    expect(snapshotTree(dir)).toEqual(before);
    expect(existsSync(join(dir, "fresh"))).toBe(false);
  });

  it("GIVEN the second rename fails (injected) WHEN applied THEN the first target is put back and no temporary file is left", async () => {
    vi.doMock("node:fs", async (importOriginal) => {
      const real = await importOriginal<typeof import("node:fs")>();
      let renames = 0;
      const renameSync: typeof real.renameSync = (from, to) => {
        if (String(from).endsWith(".tmp") && !String(from).endsWith(".restore.tmp") && ++renames === 2) throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
        real.renameSync(from, to);
      };
      return { ...real, default: { ...real, renameSync }, renameSync };
    });
    const { applyWriteSet: apply } = await import("../../generator/write-set.ts");
    const dir = folder();
    const before = snapshotTree(dir);
    expect(() =>
      apply([
        { path: join(dir, "first.yml"), content: "first: new\n" },
        { path: join(dir, "second.yml"), content: "second: new\n" },
        { path: join(dir, "gone.yml"), delete: true },
      ]),
    ).toThrow("EIO: injected");
    expect(snapshotTree(dir)).toEqual(before);
    expect(readFileSync(join(dir, "first.yml"), "utf8")).toBe("first: old\n");
  });

  it("GIVEN one path twice WHEN applied THEN it throws before touching anything", () => {
    const dir = folder();
    const before = snapshotTree(dir);
    expect(() => applyWriteSet([{ path: join(dir, "first.yml"), content: "a\n" }, { path: join(dir, "first.yml"), delete: true }])).toThrow("twice");
    expect(snapshotTree(dir)).toEqual(before);
  });
});
