import { describe, expect, it } from "vitest";
import { packingFixture, readyDatasetFixture, statisticsFixture, tokenizationFixture, tokenizerFixture } from "../test/backend";
import { pythonSnippets, pythonString, snippetSplit, tokenizationSplits } from "./python";

describe("pythonString", () => {
  it("writes a double-quoted literal that means exactly the text", () => {
    expect(pythonString("/data/tok_1")).toBe('"/data/tok_1"');
    expect(pythonString('C:\\lab\\"x"')).toBe('"C:\\\\lab\\\\\\"x\\""');
    expect(pythonString("a\nb\tc\rd")).toBe('"a\\nb\\tc\\rd"');
    expect(pythonString("\u0001\u007f")).toBe('"\\x01\\x7f"');
    // Line separators would end the line in some editors: escaped too. Other text stays as it is.
    expect(pythonString("x\u2028y\u0085")).toBe('"x\\u2028y\\u0085"');
    expect(pythonString("données/日本/😀")).toBe('"données/日本/😀"');
    expect(pythonString("it's")).toBe('"it\'s"');
  });
});

describe("the snippets' split", () => {
  const dataset = readyDatasetFixture();
  it("is the split written, train first when there is one", () => {
    expect(tokenizationSplits(tokenizationFixture(), dataset)).toEqual(["train", "test"]);
    expect(tokenizationSplits(tokenizationFixture({ settings: { ...tokenizationFixture().settings, splits: ["test"] } }), dataset)).toEqual(["test"]);
    const written = statisticsFixture({ splits: [{ name: "validation", num_samples: 1, num_rows: 1, num_tokens: 1 }] });
    expect(tokenizationSplits(tokenizationFixture({ statistics: written }), dataset)).toEqual(["validation"]);
    expect(snippetSplit(["test", "train"])).toBe("train");
    expect(snippetSplit(["validation", "test"])).toBe("validation");
  });
});

describe("pythonSnippets", () => {
  it("names a local tokenizer's model by its name, and the context size of the rows", () => {
    const tz = tokenizationFixture({ settings: { ...tokenizationFixture().settings, packing: packingFixture({ context_size: 2048 }) } });
    const local = tokenizerFixture({ hf_repo_id: null, name: "lab-tokenizer" });
    const snippets = pythonSnippets(tz, "/d/tok_1", readyDatasetFixture(), local);
    expect(snippets.map((s) => s.key)).toEqual(["load_from_disk", "sae_lens", "load_dataset"]);
    const sae = snippets[1]!.code;
    expect(sae).toContain('model_name="lab-tokenizer",');
    expect(sae).toContain("context_size=2048,");
    expect(sae.split("\n")[1]).toBe(
      "from sae_lens import LanguageModelSAERunnerConfig, LanguageModelSAETrainingRunner, StandardTrainingSAEConfig",
    );
  });
});
