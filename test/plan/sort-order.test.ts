/** The tool's string orders: the same on every machine, whatever its locale or ICU data. */
import { describe, expect, it } from "vitest";
import { byCodeUnit, byNaturalOrder } from "../../generator/sort-order.ts";
import { type Diagnostic, type DiagnosticCode, sortDiagnostics } from "../../generator/diagnostics.ts";

describe("sort order", () => {
  it("GIVEN names differing in case, '-' and '_' WHEN sorted THEN by code unit, as `<` compares (not by locale collation)", () => {
    expect(["NEXT_PUBLIC_URL", "NEXTAUTH_URL", "api_gateway", "api-gateway", "Api"].sort(byCodeUnit)).toEqual(["Api", "NEXTAUTH_URL", "NEXT_PUBLIC_URL", "api-gateway", "api_gateway"]);
  });

  it("GIVEN registry paths with indexes WHEN sorted naturally THEN services[2] comes before services[10], and equal numbers written differently still have one order", () => {
    expect(["services[10].name", "services[2].name", "services[2]", "project", "services[02]"].sort(byNaturalOrder)).toEqual(["project", "services[02]", "services[2]", "services[2].name", "services[10].name"]);
    expect(byNaturalOrder("a", "a")).toBe(0);
  });

  it("GIVEN diagnostics of one file WHEN sorted THEN by line, then path in natural order, then code", () => {
    const d = (path: string, code: string): Diagnostic => ({ code: code as DiagnosticCode, severity: "error", message: "m", file: "services.config.ts", path });
    const sorted = sortDiagnostics([d("services[10]", "CONFIG_INVALID_TYPE"), d("services[9]", "CONFIG_INVALID_TYPE"), d("services[9]", "CONFIG_INVALID_FORMAT")]);
    expect(sorted.map((x) => `${x.path} ${x.code}`)).toEqual(["services[9] CONFIG_INVALID_FORMAT", "services[9] CONFIG_INVALID_TYPE", "services[10] CONFIG_INVALID_TYPE"]);
  });
});
