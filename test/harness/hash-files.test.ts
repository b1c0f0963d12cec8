import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { hashFiles } from "./hash-files.ts";
import { makeWorkdir } from "./test-workdir.ts";

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();

describe("hashFiles", () => {
  const repo = makeWorkdir({ "pnpm-lock.yaml": "lock", "apps/a/package.json": "a", "apps/b/package.json": "b", "apps/b/other.txt": "x" });
  afterAll(() => repo.remove());

  it("GIVEN a ** pattern WHEN hashed THEN it is the hash of the matching files' hashes in path order", () => {
    const expected = createHash("sha256").update(Buffer.concat([sha256("a"), sha256("b")])).digest("hex");
    expect(hashFiles(repo.dir, ["**/package.json"])).toBe(expected);
  });

  it("GIVEN an exclusion or no match WHEN hashed THEN excluded files are left out and no match gives ''", () => {
    expect(hashFiles(repo.dir, ["**/package.json", "!apps/b/**"])).toBe(createHash("sha256").update(sha256("a")).digest("hex"));
    expect(hashFiles(repo.dir, ["**/Cargo.lock"])).toBe("");
  });
});
