/** init's package.json edits add one member and keep every other byte (indentation, order, line endings). */
import { describe, expect, it } from "vitest";
import { addMember, replaceString } from "../../generator/scaffold/init/json-text.ts";

const add = (text: string, path: string[], key: string, value: unknown) => addMember(text, path, key, value);

describe("adding a member to a JSON file's text", () => {
  it.each([
    ["two-space, scripts present", `{\n  "name": "x",\n  "scripts": {\n    "build": "tsc"\n  }\n}\n`, `{\n  "name": "x",\n  "scripts": {\n    "build": "tsc",\n    "gen:workflows": "gen-workflows"\n  }\n}\n`],
    ["tabs", `{\n\t"scripts": {\n\t\t"build": "tsc"\n\t}\n}\n`, `{\n\t"scripts": {\n\t\t"build": "tsc",\n\t\t"gen:workflows": "gen-workflows"\n\t}\n}\n`],
    ["CRLF line endings", `{\r\n  "scripts": {\r\n    "build": "tsc"\r\n  }\r\n}\r\n`, `{\r\n  "scripts": {\r\n    "build": "tsc",\r\n    "gen:workflows": "gen-workflows"\r\n  }\r\n}\r\n`],
    ["empty scripts", `{\n  "scripts": {}\n}\n`, `{\n  "scripts": {\n    "gen:workflows": "gen-workflows"\n  }\n}\n`],
    ["no scripts, after a nested object", `{\n  "name": "x",\n  "dependencies": {\n    "a": "1"\n  }\n}`, `{\n  "name": "x",\n  "dependencies": {\n    "a": "1"\n  },\n  "scripts": {\n    "gen:workflows": "gen-workflows"\n  }\n}`],
    ["strings holding braces and escaped quotes", `{\n  "description": "a } \\" {",\n  "scripts": { "x": "]" }\n}\n`, `{\n  "description": "a } \\" {",\n  "scripts": { "x": "]",\n  "gen:workflows": "gen-workflows" }\n}\n`],
  ])("GIVEN %s WHEN the script is added THEN only its line is new", (_, before, after) => {
    const edit = add(before, ["scripts"], "gen:workflows", "gen-workflows");
    expect(edit).toEqual({ text: after });
    expect(JSON.parse((edit as { text: string }).text).scripts["gen:workflows"]).toBe("gen-workflows");
  });

  it("GIVEN the key is already there WHEN adding THEN unchanged", () => {
    expect(add(`{"scripts":{"gen:workflows":"x"}}`, ["scripts"], "gen:workflows", "y")).toEqual({ unchanged: '"scripts.gen:workflows" is already set' });
  });

  it("GIVEN text that is not JSON, or scripts that is not an object WHEN adding THEN an error, no text", () => {
    expect(add(`{ "scripts": `, ["scripts"], "a", "b")).toHaveProperty("error");
    expect(add(`{ "scripts": "build" }`, ["scripts"], "a", "b")).toEqual({ error: '"scripts" is not an object' });
  });

  it("GIVEN a string member WHEN replaced THEN only its value changes", () => {
    expect(replaceString(`{\n  "h": { "pre-commit": "lint" }, "z": 1\n}`, ["h", "pre-commit"], "lint && check")).toEqual({ text: `{\n  "h": { "pre-commit": "lint && check" }, "z": 1\n}` });
  });
});
