import { describe, expect, it } from "vitest";
import type { ExpressionScope } from "./expressions.ts";
import {
  ExpressionRuntimeError,
  ExpressionSyntaxError,
  evaluateCondition,
  evaluateValue,
  interpolate,
  isTruthy,
  splitTemplate,
} from "./expressions.ts";

function scope(status: "success" | "failure", contexts: Record<string, unknown> = {}): ExpressionScope {
  return {
    contexts: {
      github: { sha: "abc123", ref: "refs/heads/main" },
      secrets: { ACR_LOGIN_SERVER: "acr.example.io" },
      matrix: { service: { name: "portal", path: "apps/portal" }, experimental: false },
      ...contexts,
    },
    status: { success: status === "success", failure: status === "failure", cancelled: false },
  };
}

describe("interpolate", () => {
  it("GIVEN a run script with several expressions WHEN interpolated THEN each is replaced by its value", () => {
    const text = "docker build -t ${{ secrets.ACR_LOGIN_SERVER }}/${{ matrix.service.name }}:${{ github.sha }} .";
    expect(interpolate(text, scope("success"))).toBe("docker build -t acr.example.io/portal:abc123 .");
  });

  it("GIVEN a missing secret or property WHEN interpolated THEN it becomes an empty string, as on GitHub", () => {
    expect(interpolate("[${{ secrets.NOPE }}][${{ matrix.service.nope }}]", scope("success"))).toBe("[][]");
  });

  it("GIVEN context keys in another case WHEN interpolated THEN lookup is case-insensitive", () => {
    expect(interpolate("${{ Secrets.acr_login_server }}", scope("success"))).toBe("acr.example.io");
  });

  it("GIVEN '}}' inside a string literal WHEN split THEN the expression does not end there", () => {
    expect(splitTemplate("a ${{ format('{0}}}', 'x') }} b")).toEqual([
      { kind: "text", value: "a " },
      { kind: "expr", value: " format('{0}}}', 'x') " },
      { kind: "text", value: " b" },
    ]);
    expect(interpolate("${{ format('[{0}]', 'x') }}", scope("success"))).toBe("[x]");
  });

  it("GIVEN GitHub's loose operators WHEN evaluated THEN || returns the first truthy operand", () => {
    expect(interpolate("${{ secrets.NOPE || 'fallback' }}", scope("success"))).toBe("fallback");
    expect(interpolate("${{ matrix.service.name == 'PORTAL' }}", scope("success"))).toBe("true");
  });

  it("GIVEN an unknown context WHEN interpolated THEN a syntax error names the expression", () => {
    expect(() => interpolate("${{ secret.X }}", scope("success"))).toThrow(ExpressionSyntaxError);
    expect(() => interpolate("${{ github.sha ", scope("success"))).toThrow(/missing closing/);
  });

  it("GIVEN a valid expression that fails at run time WHEN interpolated THEN it raises a runtime error", () => {
    expect(() => interpolate("${{ fromJSON('{not json') }}", scope("success"))).toThrow(ExpressionRuntimeError);
  });
});

describe("evaluateValue", () => {
  it("GIVEN a value that is exactly one expression WHEN evaluated THEN its type survives", () => {
    expect(isTruthy(evaluateValue("${{ matrix.experimental }}", scope("success")))).toBe(false);
    expect(isTruthy(evaluateValue("true", scope("success")))).toBe(true);
  });
});

describe("evaluateCondition", () => {
  it("GIVEN no condition WHEN the job failed THEN the step does not run (implicit success())", () => {
    expect(evaluateCondition(undefined, scope("success"))).toBe(true);
    expect(evaluateCondition(undefined, scope("failure"))).toBe(false);
  });

  it("GIVEN a condition without status function WHEN the job failed THEN it is still false", () => {
    expect(evaluateCondition("matrix.service.name == 'portal'", scope("success"))).toBe(true);
    expect(evaluateCondition("matrix.service.name == 'portal'", scope("failure"))).toBe(false);
  });

  it("GIVEN failure() and always() WHEN evaluated THEN they follow the job status", () => {
    expect(evaluateCondition("failure()", scope("failure"))).toBe(true);
    expect(evaluateCondition("${{ failure() }}", scope("success"))).toBe(false);
    expect(evaluateCondition("always()", scope("failure"))).toBe(true);
    expect(evaluateCondition("cancelled()", scope("failure"))).toBe(false);
    expect(evaluateCondition("failure() && matrix.service.name == 'portal'", scope("failure"))).toBe(true);
  });

  it("GIVEN a status function name only inside a string WHEN evaluated THEN success() is still implied", () => {
    expect(evaluateCondition("'always()' == 'always()'", scope("failure"))).toBe(false);
  });

  it("GIVEN the production Sentry condition WHEN the service is not listed THEN it is false", () => {
    const condition = "matrix.service.name == 'portal' || matrix.service.name == 'candidate'";
    expect(evaluateCondition(condition, scope("success"))).toBe(true);
    const other = scope("success", { matrix: { service: { name: "document-service" } } });
    expect(evaluateCondition(condition, other)).toBe(false);
  });
});
