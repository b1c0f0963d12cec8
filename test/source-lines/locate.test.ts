/** Registry diagnostics get the line of the entry they are about, in the registry's own source. */
import { describe, expect, it } from "vitest";
import { error } from "../../generator/diagnostics.ts";
import { locateInRegistry } from "../../generator/config/source-lines.ts";

const SOURCE = [
  "export default defineConfig({", // 1
  '  project: { namespace: "shop" },', // 2
  "  services: [", // 3
  '    { name: "redis", kind: "infrastructure", image: false },', // 4
  "    {", // 5
  '      name: "orders",', // 6
  '      kind: "backend",', // 7
  '      dependsOn: ["redis"],', // 8
  "    },", // 9
  "    {", // 10
  '      name: "Web_App",', // 11
  "      dependsOn: [],", // 12
  "    },", // 13
  '    { name: "redis", kind: "infrastructure" },', // 14
  "  ],", // 15
  "});", // 16
].join("\n");
const REGISTRY = { services: [{ name: "redis" }, { name: "orders" }, { name: "Web_App" }, { name: "redis" }] };

const lineFor = (path: string): number | undefined => locateInRegistry([error("CONFIG_INVALID", "x", { file: "services.config.ts", path })], "services.config.ts", SOURCE, REGISTRY)[0]!.line;

describe("locating registry paths in the source", () => {
  it("GIVEN a problem with a service's name WHEN located THEN it is that service's name line, not the next one's", () => {
    expect(lineFor("services[2].name")).toBe(11);
  });
  it("GIVEN a key of a service WHEN located THEN it is found inside that service's entry", () => {
    expect(lineFor("services[1].dependsOn[0]")).toBe(8);
    expect(lineFor("services[2].dependsOn")).toBe(12);
  });
  it("GIVEN a key the service does not have WHEN located THEN it falls back to the service's name, never the next service's key", () => {
    expect(lineFor("services[2].kind")).toBe(11);
  });
  it("GIVEN two services with one name WHEN the second is located THEN it is the second one's line", () => {
    expect(lineFor("services[3].name")).toBe(14);
    expect(lineFor("services[0].name")).toBe(4);
  });
  it("GIVEN a project path WHEN located THEN it is the key's line; an unknown path keeps no line", () => {
    expect(lineFor("project.namespace")).toBe(2);
    expect(lineFor("environments.staging")).toBeUndefined();
  });
});
