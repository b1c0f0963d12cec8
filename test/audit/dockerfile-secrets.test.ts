/**
 * How the build-secret audit reads a Dockerfile: which names an ARG or ENV declares, across the
 * instruction's forms and continuation lines, so a secret is found wherever it is declared and a
 * mere mention (a RUN mount, a comment) is not taken for a declaration.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/repo.ts";
import { declaredNames, dockerfileInstructions } from "../../generator/audit/check-dockerfile-secrets.ts";

const declared = (text: string): { names: string[]; line: number }[] =>
  dockerfileInstructions(text)
    .map((i) => ({ names: declaredNames(i), line: i.line }))
    .filter((d) => d.names.length > 0);

describe("Dockerfile ARG and ENV declarations", () => {
  it.each([
    { given: "one ARG", text: "FROM node AS base\nARG TOKEN\n", expected: [{ names: ["TOKEN"], line: 2 }] },
    { given: "an ARG with a default and a second name", text: "ARG A=1 TOKEN\n", expected: [{ names: ["A", "TOKEN"], line: 1 }] },
    { given: "ENV key=value pairs", text: "env NODE_ENV=production TOKEN=$TOKEN\n", expected: [{ names: ["NODE_ENV", "TOKEN"], line: 1 }] },
    { given: "the legacy ENV key value form", text: "ENV TOKEN some value\n", expected: [{ names: ["TOKEN"], line: 1 }] },
    { given: "an ENV continued on the next line", text: "FROM x\nENV A=1 \\\n    TOKEN=2\n", expected: [{ names: ["A", "TOKEN"], line: 2 }] },
    { given: "a secret mount and a comment only", text: "# ARG TOKEN\nRUN --mount=type=secret,id=TOKEN,env=TOKEN build\n", expected: [] },
  ])("GIVEN $given WHEN read THEN the declared names and the instruction's first line are found", ({ text, expected }) => {
    expect(declared(text)).toEqual(expected);
  });
});

describe("the frontend scaffold", () => {
  it("GIVEN templates/scaffold/frontend.Dockerfile WHEN read THEN its build step mounts SENTRY_AUTH_TOKEN as a BuildKit secret and no ARG or ENV declares it", () => {
    const text = readFileSync(join(REPO, "templates", "scaffold", "frontend.Dockerfile"), "utf8");
    const instructions = dockerfileInstructions(text);
    expect(instructions.flatMap(declaredNames)).not.toContain("SENTRY_AUTH_TOKEN");
    const build = instructions.find((i) => i.keyword === "RUN" && i.args.includes(" build"))!;
    expect(build.args).toMatch(/^--mount=type=secret,id=SENTRY_AUTH_TOKEN,env=SENTRY_AUTH_TOKEN\s+pnpm --filter/);
    // The mount syntax needs the Dockerfile 1.x frontend, requested on the first line.
    expect(text.split("\n")[0]).toBe("# syntax=docker/dockerfile:1");
  });
});
