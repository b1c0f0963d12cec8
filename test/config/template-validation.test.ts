/**
 * Templates also go through GitHub's parser (inside a one-job wrapper), so a mistake only it can
 * see is reported at the template's own line; YAML the template parser accepts stays accepted.
 */
import { describe, expect, it } from "vitest";
import { validateTemplate } from "../../generator/render/validate.ts";

describe("templates seen by GitHub's parser", () => {
  it("GIVEN a BOM, a document start and end marker WHEN validated THEN the template is accepted", async () => {
    expect(await validateTemplate("t.yml", "\uFEFF---\nsteps:\n  - name: a\n    run: echo\n...\n")).toEqual([]);
  });

  it("GIVEN a broken if: expression after a document marker WHEN validated THEN it is TEMPLATE_INVALID at the template's own line and column", async () => {
    const found = await validateTemplate("templates/deploy/post-deploy.yml", "---\n# comment\n\nsteps:\n  - name: a\n    if: always( && x(\n    run: echo\n");
    expect(found).toEqual([expect.objectContaining({ code: "TEMPLATE_INVALID", file: "templates/deploy/post-deploy.yml", line: 6, column: 9 })]);
    expect(found[0]!.message).toContain("GitHub's workflow parser rejects this template");
  });
});
