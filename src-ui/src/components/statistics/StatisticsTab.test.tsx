import { act, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Dataset, TextStatistics } from "../../bindings";
import {
  packingFixture,
  readyDatasetFixture,
  statisticsFixture,
  textStatisticsFixture,
  tokenizationFixture,
  tokenizerFixture,
  type BackendOptions,
} from "../../test/backend";
import { giveChartsASize } from "../../test/charts";
import { openModal } from "../../test/detail";

giveChartsASize();

const gpt2 = tokenizerFixture();
const bert = tokenizerFixture({ id: "tk_bert", name: "google-bert/bert-base-uncased", vocab_size: 30_522 });

/** Per-sample GPT-2 tokenization, the newer one: it is the default choice. */
const gpt2Tokenization = tokenizationFixture({ statistics: statisticsFixture(), updated_at: 1_700_000_900_000 });

/** Packed BERT tokenization with padding and dropped tokens, made earlier. */
const bertTokenization = tokenizationFixture({
  id: "tok_bert",
  tokenizer_id: "tk_bert",
  updated_at: 1_700_000_500_000,
  settings: {
    ...gpt2Tokenization.settings,
    packing: packingFixture({ begin_batch_token: { kind: "none" }, sequence_separator_token: { kind: "eos" } }),
  },
  statistics: statisticsFixture({
    num_tokens: 6_000_000,
    num_padding_tokens: 300_000,
    padding_overhead: 0.047619,
    truncated: 0,
    dropped_tokens: 777,
    seq_len: { min: 1_024, max: 1_024, mean: 1_024, median: 1_024, p90: 1_024, p99: 1_024 },
    unique_tokens: 25_000,
    vocab_size: 30_522,
    top_tokens: [
      { id: 1996, piece: "the", count: 300_000 },
      { id: 102, piece: "[SEP]", count: 10_000 },
    ],
    splits: [{ name: "train", num_samples: 9_000, num_rows: 5_000, num_tokens: 6_000_000 }],
  }),
});

async function openStatistics(options: BackendOptions = {}, dataset: Dataset = readyDatasetFixture()) {
  const opened = await openModal(options, dataset);
  await opened.user.click(within(opened.modal).getByRole("tab", { name: "Statistics" }));
  const tab = within(opened.modal).getByTestId("statistics-tab");
  return { ...opened, tab };
}

/** The bars Recharts drew inside the element with this test id, once the lazy chart loaded. */
async function bars(root: HTMLElement, testId: string): Promise<Element[]> {
  const el = within(root).getByTestId(testId);
  await waitFor(() => expect(el.querySelectorAll(".recharts-bar-rectangle").length).toBeGreaterThan(0));
  return [...el.querySelectorAll(".recharts-bar-rectangle")];
}

function value(root: HTMLElement, testId: string): string {
  return within(within(root).getByTestId(testId)).getByTestId("summary-value").textContent ?? "";
}

describe("Statistics tab", () => {
  it("is the fourth tab and measures the text only once it is opened", async () => {
    const { modal, backend, user } = await openModal();
    expect(within(modal).getAllByRole("tab").map((t) => t.textContent)).toEqual([
      "Overview",
      "Samples",
      "Tokenization",
      "Statistics",
    ]);
    expect(backend.callsOf("text_statistics")).toHaveLength(0);
    await user.click(within(modal).getByRole("tab", { name: "Statistics" }));
    expect(within(modal).getByRole("tab", { name: "Statistics" })).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(backend.callsOf("text_statistics")).toHaveLength(1));
    expect(backend.callsOf("text_statistics")[0]?.args).toEqual({ datasetId: "ds-1", split: null });
  });

  it("shows rows, splits and the characters and words per row of every split, with both histograms", async () => {
    const { tab } = await openStatistics();
    expect(value(tab, "summary-rows")).toBe("10,000");
    expect(value(tab, "summary-splits")).toBe("2");
    expect(within(tab).getByTestId("summary-splits")).toHaveTextContent("train, test");
    expect(value(tab, "summary-column")).toBe("text");

    const text = within(tab).getByTestId("text-stats");
    expect(await within(text).findByTestId("text-chars-mean")).toHaveTextContent("876.5");
    expect(within(text).getByTestId("text-chars-median")).toHaveTextContent("812");
    expect(within(text).getByTestId("text-chars-p90")).toHaveTextContent("1,540");
    expect(within(text).getByTestId("text-chars-p99")).toHaveTextContent("3,210");
    expect(within(text).getByTestId("text-chars-max")).toHaveTextContent("9,876");
    expect(within(text).getByTestId("text-chars-total")).toHaveTextContent("8,765,432");
    expect(within(text).getByTestId("text-words-mean")).toHaveTextContent("165.4");
    expect(within(text).getByTestId("text-words-median")).toHaveTextContent("151");
    expect(within(text).getByTestId("text-words-p99")).toHaveTextContent("611");
    expect(within(text).getByTestId("text-words-max")).toHaveTextContent("1,843");
    expect(within(text).getByTestId("text-words-total")).toHaveTextContent("1,654,321");
    expect(within(text).getByTestId("text-stats-caption")).toHaveTextContent(
      "Column text · 10,000 rows · 12 empty (0.1%), 3 of them null",
    );

    // One bar per bin, with the percentile markers and the figures in the chart's label.
    expect(await bars(text, "chars-histogram")).toHaveLength(5);
    expect(await bars(text, "words-histogram")).toHaveLength(4);
    const chars = within(within(text).getByTestId("chars-histogram")).getByRole("img");
    expect(chars).toHaveAccessibleName(/^Histogram of rows by length in characters\. Min: 0 • Median: 812/);
    expect(within(text).getByTestId("chars-histogram")).toHaveTextContent("median");
    expect(within(text).getByTestId("words-histogram")).toHaveTextContent("p99");
  });

  it("asks again for the chosen split and keeps answers already given", async () => {
    const testStats: TextStatistics = textStatisticsFixture({
      split: "test",
      num_rows: 1_000,
      null_rows: 0,
      empty_rows: 0,
      total_chars: 700_000,
      chars: { min: 12, max: 2_000, mean: 700, median: 650, p90: 1_200, p99: 1_900 },
      chars_histogram: [
        { start: 0, end: 1_000, count: 800 },
        { start: 1_000, end: 2_001, count: 200 },
      ],
    });
    const { tab, user, backend } = await openStatistics({
      textStatistics: (_id, split) => (split === "test" ? testStats : textStatisticsFixture()),
    });
    const text = within(tab).getByTestId("text-stats");
    expect(await within(text).findByTestId("text-chars-mean")).toHaveTextContent("876.5");
    const select = within(text).getByTestId("text-split-select");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["All splits", "train", "test"]);

    await user.selectOptions(select, "test");
    await waitFor(() => expect(within(text).getByTestId("text-chars-mean")).toHaveTextContent("700"));
    expect(backend.callsOf("text_statistics").map((c) => c.args)).toEqual([
      { datasetId: "ds-1", split: null },
      { datasetId: "ds-1", split: "test" },
    ]);
    expect(within(text).getByTestId("text-chars-median")).toHaveTextContent("650");
    expect(within(text).getByTestId("text-stats-caption")).toHaveTextContent("1,000 rows · 0 empty (0%)");
    expect(await bars(text, "chars-histogram")).toHaveLength(2);

    await user.selectOptions(select, "");
    expect(within(text).getByTestId("text-chars-mean")).toHaveTextContent("876.5");
    expect(backend.callsOf("text_statistics")).toHaveLength(2);
  });

  it("says it is measuring until the answer comes, and offers a retry when it fails", async () => {
    let finish: (value: TextStatistics) => void = () => {};
    let fail = true;
    const { tab, user } = await openStatistics({
      textStatistics: () =>
        fail
          ? { error: { kind: "invalid_input", message: "the dataset has no text column" } }
          : () => new Promise<TextStatistics>((resolve) => (finish = resolve)),
    });
    const text = within(tab).getByTestId("text-stats");
    expect(await within(text).findByRole("alert")).toHaveTextContent("invalid_input: the dataset has no text column");
    fail = false;
    await user.click(within(text).getByRole("button", { name: "Retry" }));
    expect(await within(text).findByTestId("text-stats-loading")).toHaveTextContent("Measuring the text");
    expect(text).toHaveAttribute("aria-busy", "true");
    act(() => finish(textStatisticsFixture()));
    expect(await within(text).findByTestId("text-chars-mean")).toHaveTextContent("876.5");
    expect(within(text).queryByTestId("text-stats-loading")).not.toBeInTheDocument();
  });

  it("says there is no finished tokenization and leads to the Tokenization tab", async () => {
    const { tab, modal, user } = await openStatistics({
      tokenizers: [gpt2],
      tokenizations: () => [tokenizationFixture({ status: "processing" })],
    });
    const empty = await within(tab).findByTestId("tokenization-stats-empty");
    expect(empty).toHaveTextContent("A tokenization is still being made");
    expect(within(tab).queryByTestId("tokenization-stats-select")).not.toBeInTheDocument();
    expect(within(tab).queryByTestId("summary-tokens")).not.toBeInTheDocument();
    expect(within(tab).queryByTestId("split-tokens")).not.toBeInTheDocument();
    await user.click(within(empty).getByRole("button", { name: "Open the Tokenization tab" }));
    expect(within(modal).getByRole("tab", { name: "Tokenization" })).toHaveAttribute("aria-selected", "true");
    expect(within(modal).getByTestId("tokenization-tab")).toBeVisible();
  });

  it("shows rows per split as shares of the total", async () => {
    const { tab } = await openStatistics();
    const splits = within(tab).getByTestId("split-distribution");
    expect(within(splits).getAllByTestId("split-tile").map((t) => t.textContent)).toEqual([
      "train9,000rows · 90% of total",
      "test1,000rows · 10% of total",
    ]);
  });

  it("tells two tokenizations of one tokenizer apart by their settings and shows the chosen one", async () => {
    const packed = tokenizationFixture({
      id: "tok_packed",
      updated_at: 1_700_000_950_000,
      settings: { ...gpt2Tokenization.settings, packing: packingFixture({ context_size: 128 }), shuffle: true, seed: 9 },
      statistics: statisticsFixture({ num_tokens: 1_280 }),
    });
    const { tab, user } = await openStatistics({ tokenizers: [gpt2], tokenizations: () => [gpt2Tokenization, packed] });
    const select = await within(tab).findByTestId("tokenization-stats-select");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "openai-community/gpt2 (packed 128 · row start BOS · separator BOS · shuffled seed 9 · column text)",
      "openai-community/gpt2 (max 512 · truncate · special tokens · column text)",
    ]);
    expect(value(tab, "summary-tokens")).toBe("1,280");
    await user.selectOptions(select, "tok_1");
    expect(value(tab, "summary-tokens")).toBe("4,987,654");
  });

  it("shows the chosen tokenization's figures, length histogram, top tokens and efficiency", async () => {
    const { tab, user } = await openStatistics({
      tokenizers: [gpt2, bert],
      tokenizations: () => [
        bertTokenization,
        tokenizationFixture({ id: "tok_q", tokenizer_id: "tk_bert", status: "queued" }),
        gpt2Tokenization,
      ],
    });
    const select = await within(tab).findByTestId("tokenization-stats-select");
    // Only ready tokenizations, newest first, by tokenizer name.
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "openai-community/gpt2",
      "google-bert/bert-base-uncased",
    ]);
    expect(select).toHaveValue("tok_1");

    expect(value(tab, "summary-tokens")).toBe("4,987,654");
    expect(within(tab).getByTestId("summary-tokens")).toHaveTextContent("openai-community/gpt2 · padding excluded");
    expect(value(tab, "summary-mean")).toBe("486.6");
    expect(value(tab, "summary-median")).toBe("487");
    expect(value(tab, "summary-p90")).toBe("505");
    expect(value(tab, "summary-p99")).toBe("512");
    expect(value(tab, "summary-unique")).toBe("31,415");
    expect(within(tab).getByTestId("summary-unique")).toHaveTextContent("of a 50,257 vocabulary (62.5%)");
    expect(value(tab, "summary-truncated")).toBe("1,234");
    expect(within(tab).getByTestId("summary-truncated")).toHaveTextContent("12.3% of 10,000 samples");
    expect(value(tab, "summary-padding")).toBe("0%");

    const section = within(tab).getByTestId("tokenization-stats");
    expect(within(section).getByTestId("tokenization-stats-settings")).toHaveTextContent("openai-community/gpt2 · max 512");
    // The cards add what the summary does not show.
    expect(within(section).getByTestId("stat-rows")).toHaveTextContent("10,250from 10,000 samples");
    expect(within(section).getByTestId("stat-overflow")).toHaveTextContent("250");
    expect(within(section).queryByTestId("stat-tokens")).not.toBeInTheDocument();

    expect(await bars(section, "seq-histogram")).toHaveLength(6);
    expect(within(section).getByTestId("seq-histogram")).toHaveTextContent("Min: 3 • Median: 487 • p90: 505");

    const top = await bars(section, "top-tokens-chart");
    expect(top).toHaveLength(5);
    const topChart = within(section).getByTestId("top-tokens-chart");
    // Decoded pieces with their whitespace drawn, most frequent first.
    const ticks = [...topChart.querySelectorAll(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")].map(
      (t) => t.textContent,
    );
    expect(ticks).toEqual(["␣the", ".", ",", "↵", "<|endoftext|>"]);
    expect(within(topChart).getByRole("img")).toHaveAccessibleName(/Top: " the" 250,000, "\." 180,000/);

    const efficiency = within(section).getByTestId("efficiency-chart");
    expect((await bars(section, "efficiency-chart")).length).toBeGreaterThan(0);
    expect(within(efficiency).getByTestId("efficiency-ids")).toHaveTextContent("Real tokens 4,987,654 (100%)Padding 0 (0%)");
    expect(within(efficiency).getByTestId("efficiency-samples")).toHaveTextContent(
      "Intact samples 8,766 (87.7%)Truncated 1,234 (12.3%)",
    );
    expect(within(efficiency).queryByTestId("efficiency-packing")).not.toBeInTheDocument();

    const splits = within(tab).getByTestId("split-distribution");
    expect(within(splits).getAllByTestId("split-tokens").map((t) => t.textContent)).toEqual([
      "4,488,888 tokens · 90%",
      "498,766 tokens · 10%",
    ]);

    // Another tokenization: every figure follows.
    await user.selectOptions(select, "tok_bert");
    expect(value(tab, "summary-tokens")).toBe("6,000,000");
    expect(value(tab, "summary-unique")).toBe("25,000");
    expect(within(tab).getByTestId("summary-unique")).toHaveTextContent("of a 30,522 vocabulary (81.9%)");
    expect(value(tab, "summary-padding")).toBe("4.8%");
    // Packed: nothing is truncated, the tokens dropped at each split's end are shown instead.
    expect(within(tab).queryByTestId("summary-truncated")).not.toBeInTheDocument();
    expect(within(section).getByTestId("stat-dropped")).toHaveTextContent("777");
    expect(within(section).getByTestId("tokenization-stats-settings")).toHaveTextContent(
      "google-bert/bert-base-uncased · packed 1,024",
    );
    await waitFor(() => expect(topChart.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(2));
    expect(
      [...topChart.querySelectorAll(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")].map((t) => t.textContent),
    ).toEqual(["the", "[SEP]"]);
    expect(within(efficiency).getByTestId("efficiency-ids")).toHaveTextContent("Real tokens 6,000,000 (95.2%)Padding 300,000 (4.8%)");
    expect(within(efficiency).getByTestId("efficiency-packing")).toHaveTextContent(
      "Kept 6,000,000 (100%)Dropped by packing 777 (0%)",
    );
    expect(within(splits).getAllByTestId("split-tokens").map((t) => t.textContent)).toEqual([
      "6,000,000 tokens · 100%",
      "not in this tokenization",
    ]);
  });
});
