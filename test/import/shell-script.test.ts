/** The bash subset the importer reads scripts with. */
import { describe, expect, it } from "vitest";
import { execute, logicalLines, tokenize } from "../../generator/import/shell-script.ts";

const run = (script: string, seed: Record<string, string> = {}) => execute(logicalLines(script, 10), seed);

describe("shell-script", () => {
  it("GIVEN backslash continuations WHEN split THEN one logical line starts at its first file line", () => {
    expect(logicalLines("a \\\n  b \\\n  c\n# note\nd", 5)).toEqual([
      { text: "a b c", line: 5 },
      { text: "d", line: 9 },
    ]);
  });

  it("GIVEN quotes, variables and ${{ }} WHEN tokenized THEN quotes go, known variables expand, expressions stay whole", () => {
    expect(tokenize(`kubectl apply -f "infra/k8s/$svc/" --namespace=\${{env.NS}} 'a b'`, { svc: "ats" })).toEqual([
      { word: "kubectl" },
      { word: "apply" },
      { word: "-f" },
      { word: "infra/k8s/ats/" },
      { word: "--namespace=${{ env.NS }}" },
      { word: "a b" },
    ]);
  });

  it("GIVEN a for loop over a variable with a per-item condition WHEN executed THEN the loop expands and only the matching item runs the branch", () => {
    const events = run(['SERVICES="ats billing"', "for svc in $SERVICES; do", '  kubectl apply -f "infra/k8s/$svc/"', '  if [ "$svc" = billing ]; then kubectl apply -f infra/k8s/$svc/cronjobs/; fi', "done"].join("\n"));
    expect(events.commands.map((c) => c.words.slice(3).join(" "))).toEqual(["infra/k8s/ats/", "infra/k8s/billing/", "infra/k8s/billing/cronjobs/"]);
    expect(events.commands.map((c) => c.line)).toEqual([12, 12, 13]);
  });

  it("GIVEN an if/elif/else chain WHEN executed per value THEN exactly one branch runs", () => {
    const script = ['if [ "$n" = "a" ]; then', "  echo A", 'elif [ "$n" == "b" ]; then', "  echo B", "else", "  echo other", "fi"].join("\n");
    expect(run(script, { n: "b" }).commands.map((c) => c.words[1])).toEqual(["B"]);
    expect(run(script, { n: "z" }).commands.map((c) => c.words[1])).toEqual(["other"]);
  });

  it("GIVEN || true, a pipe and exports WHEN executed THEN swallowing, the piped command and the exports are recorded", () => {
    const events = run(["export TAG=${{ github.sha }}", "kubectl apply -f x/ || true", "kubectl create ns a --dry-run=client -o yaml | kubectl apply -f -", "VERSION=$(cat VERSION)"].join("\n"));
    expect(events.exports).toEqual([{ name: "TAG", value: "${{ github.sha }}", line: 10 }]);
    expect(events.commands[0]).toMatchObject({ swallowed: true, words: ["kubectl", "apply", "-f", "x/"] });
    expect(events.commands[1]!.pipedTo).toEqual([["kubectl", "apply", "-f", "-"]]);
    expect(events.substitutions).toEqual([{ name: "VERSION", command: "cat VERSION", line: 13 }]);
  });

  it("GIVEN a condition it cannot decide WHEN executed THEN it is reported, not guessed", () => {
    const events = run(['if [ "$(date +%u)" -gt 5 ]; then', "  kubectl apply -f weekend/", "fi"].join("\n"));
    expect(events.commands).toEqual([]);
    expect(events.unknown).toEqual([{ text: '[ "$(date +%u)" -gt 5 ]', line: 10, message: "condition the importer cannot decide" }]);
  });
});
