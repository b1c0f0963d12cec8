import { describe, expect, it } from "vitest";
import { CommandFileError, parseCommandFile } from "./command-files.ts";

describe("parseCommandFile", () => {
  it("GIVEN NAME=value lines WHEN parsed THEN values keep everything after the first '='", () => {
    expect(parseCommandFile("A=1\nURL=https://x?a=b\n\nEMPTY=\n")).toEqual([
      ["A", "1"],
      ["URL", "https://x?a=b"],
      ["EMPTY", ""],
    ]);
  });

  it("GIVEN a heredoc WHEN parsed THEN the value spans the lines up to the delimiter", () => {
    expect(parseCommandFile("NOTES<<EOF\nline 1\nline 2\nEOF\nNEXT=x\n")).toEqual([
      ["NOTES", "line 1\nline 2"],
      ["NEXT", "x"],
    ]);
  });

  it("GIVEN '=' before '<<' WHEN parsed THEN the line is a plain assignment", () => {
    expect(parseCommandFile("SHIFT=a<<b\n")).toEqual([["SHIFT", "a<<b"]]);
  });

  it("GIVEN an unclosed heredoc or a bare word WHEN parsed THEN it is an error, as on the runner", () => {
    expect(() => parseCommandFile("NOTES<<EOF\nline\n")).toThrow(CommandFileError);
    expect(() => parseCommandFile("JUSTAWORD\n")).toThrow(CommandFileError);
  });
});
