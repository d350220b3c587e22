import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "./tokenize";
import { efficiencyRows, lengthSummaryText, shortRevision, storageParts } from "./statistics";
import { packingFixture, statisticsFixture, storageFixture } from "../test/backend";

const counts = (rows: ReturnType<typeof efficiencyRows>) =>
  Object.fromEntries(rows.map((r) => [r.key, Object.fromEntries(r.parts.map((p) => [p.key, p.count]))]));

describe("efficiencyRows", () => {
  it("splits samples into intact, truncated and filtered; filtered ones are not truncated", () => {
    const stats = statisticsFixture({ num_samples: 100, truncated: 10, filtered_short: 5, filtered_long: 2, num_padding_tokens: 40, num_tokens: 960 });
    expect(counts(efficiencyRows(stats, DEFAULT_SETTINGS))).toEqual({
      ids: { real: 960, padding: 40 },
      samples: { intact: 83, truncated: 10, filtered: 7 },
    });
  });

  it("in packed mode shows the tokens dropped at each split's end and no truncation", () => {
    const stats = statisticsFixture({ num_samples: 50, truncated: 0, num_tokens: 4_096, dropped_tokens: 100 });
    const settings = { ...DEFAULT_SETTINGS, packing: packingFixture() };
    expect(counts(efficiencyRows(stats, settings))).toEqual({
      ids: { real: 4_096, padding: 0 },
      samples: { intact: 50 },
      packing: { kept: 4_096, dropped: 100 },
    });
  });

  it("leaves out a bar with nothing in it", () => {
    const stats = statisticsFixture({ num_samples: 0, truncated: 0, num_tokens: 0, num_padding_tokens: 0 });
    expect(efficiencyRows(stats, DEFAULT_SETTINGS)).toEqual([]);
  });
});

describe("storageParts", () => {
  it("names tokenizations by their tokenizer and has no cache part for local data", () => {
    const parts = storageParts(storageFixture({ raw_cache_bytes: null }), (t) => (t.tokenizer_id === "tk_gpt2" ? "gpt2" : t.tokenizer_id));
    expect(parts.map((p) => [p.label, p.bytes])).toEqual([
      ["Canonical data", 1_073_741_824],
      ["Tokenization: gpt2", 209_715_200],
      ["Other", 52_428],
    ]);
  });
});

it("shortRevision keeps 12 characters; lengthSummaryText names its measure", () => {
  expect(shortRevision("0123456789abcdef0123")).toBe("0123456789ab");
  expect(lengthSummaryText({ min: 1, max: 9, mean: null, median: 4, p90: 8, p99: 9 }, "words")).toBe(
    "Min: 1 • Median: 4 • p90: 8 • p99: 9 • Max: 9 words",
  );
});
