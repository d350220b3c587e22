import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { events, type Job, type Tokenization, type TokenizeRequest } from "../../bindings";
import { jobFixture, packingFixture, statisticsFixture, tokenizationFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();
const STARTED = 1_700_000_000_000;

function tokenizeJob(over: Partial<Job> = {}): Job {
  return jobFixture({
    id: "job-tok",
    kind: "dataset.tokenize",
    target: "tok_1",
    status: "running",
    stage: "Tokenizing",
    progress: { unit: "samples", done: 2_500, total: 10_000, tokens: 1_234_567, samples_per_sec: 500, tokens_per_sec: 250_000 },
    created_at: STARTED - 5_000,
    started_at: STARTED,
    updated_at: 2_000,
    ...over,
  });
}

async function itemIn(tab: HTMLElement): Promise<HTMLElement> {
  return within(tab).findByTestId("tokenization-item");
}

describe("The dataset's tokenizations", () => {
  it("says when there are none", async () => {
    const { tab } = await openTokenization({ tokenizers: [gpt2] });
    expect(await within(tab).findByTestId("tokenizations-empty")).toHaveTextContent(
      "This dataset has not been tokenized yet.",
    );
    expect(within(tab).getByRole("heading", { name: "Tokenizations (0)" })).toBeInTheDocument();
  });

  it("shows the staged progress of a running job: stage, samples, rates, elapsed and remaining time", async () => {
    vi.spyOn(Date, "now").mockReturnValue(STARTED + 65_000);
    try {
      const { tab } = await openTokenization({
        tokenizers: [gpt2],
        tokenizations: () => [tokenizationFixture({ status: "processing", settings: { ...tokenizationFixture().settings, packing: packingFixture() } })],
        jobs: [tokenizeJob()],
      });
      const item = await itemIn(tab);
      expect(within(item).getByRole("heading", { name: "openai-community/gpt2" })).toBeInTheDocument();
      expect(within(item).getByTestId("tokenization-summary")).toHaveTextContent(
        "packed 1,024 · row start BOS · separator BOS · column text",
      );
      const badge = within(item).getByTestId("status-badge");
      expect(badge).toHaveTextContent("Tokenizing");
      expect(badge).toHaveClass("text-yellow-400");

      const progress = await within(item).findByTestId("tokenize-progress");
      expect(within(progress).getByTestId("tokenize-stage")).toHaveTextContent("Tokenizing");
      expect(within(progress).getByTestId("tokenize-percent")).toHaveTextContent("25%");
      expect(within(progress).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "25");
      expect(within(progress).getByTestId("tokenize-counts")).toHaveTextContent("2,500 / 10,000 samples · 1,234,567 tokens");
      expect(within(progress).getByTestId("tokenize-rates")).toHaveTextContent("500 samples/s · 250k tokens/s");
      expect(within(progress).getByTestId("tokenize-time")).toHaveTextContent("Elapsed 1 min 5 s · about 15 s left");

      // Delete waits for the job: disabled, with the reason as its tooltip.
      const del = within(item).getByTestId("tokenization-delete");
      expect(del).toBeDisabled();
      expect(del.parentElement).toHaveAttribute("title", "Cancel the tokenization before deleting it");

      // The stage moves on with job events.
      await act(() =>
        events.jobEvent.emit({
          job: tokenizeJob({
            stage: "Finishing",
            progress: { unit: "samples", done: 10_000, total: 10_000, tokens: 4_987_654, samples_per_sec: 520, tokens_per_sec: 260_000 },
            updated_at: 3_000,
          }),
        }),
      );
      await waitFor(() => expect(within(progress).getByTestId("tokenize-stage")).toHaveTextContent("Finishing"));
      expect(within(progress).getByTestId("tokenize-percent")).toHaveTextContent("100%");
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("shows a queued tokenization as waiting", async () => {
    const { tab } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => [tokenizationFixture({ status: "queued" })],
      jobs: [tokenizeJob({ status: "queued", stage: null, progress: null, started_at: null })],
    });
    const item = await itemIn(tab);
    expect(within(item).getByTestId("status-badge")).toHaveTextContent("Queued");
    expect(within(item).getByTestId("status-badge")).toHaveClass("text-blue-400");
    expect(await within(item).findByTestId("tokenize-stage")).toHaveTextContent("Waiting to start");
    expect(within(item).getByTestId("tokenize-counts")).toHaveTextContent("Queued behind other jobs");
  });

  it("cancels the job; the withdrawn tokenization leaves the list", async () => {
    let list: Tokenization[] = [tokenizationFixture({ status: "processing" })];
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => list,
      jobs: [tokenizeJob()],
    });
    const item = await itemIn(tab);
    await user.click(await within(item).findByTestId("tokenize-cancel"));
    await waitFor(() => expect(backend.callsOf("cancel_job")).toHaveLength(1));
    expect(backend.callsOf("cancel_job")[0]?.args).toEqual({ id: "job-tok" });

    list = [];
    await act(() => events.tokenizationsChanged.emit({ dataset_id: "ds-1" }));
    await waitFor(() => expect(within(tab).queryByTestId("tokenization-item")).not.toBeInTheDocument());
    expect(within(tab).getByTestId("tokenizations-empty")).toBeInTheDocument();
  });

  it("turns Ready from events and shows tokens, rows, size and the statistics panel", async () => {
    let list: Tokenization[] = [tokenizationFixture({ status: "processing" })];
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => list,
      jobs: [tokenizeJob()],
    });
    await itemIn(tab);
    list = [
      tokenizationFixture({
        status: "ready",
        statistics: statisticsFixture(),
        num_tokens: 4_987_654,
        size_bytes: 21 * 1024 ** 2,
      }),
    ];
    await act(() => events.tokenizationsChanged.emit({ dataset_id: "ds-1" }));
    const item = await itemIn(tab);
    await waitFor(() => expect(within(item).getByTestId("status-badge")).toHaveTextContent("Ready"));
    expect(within(item).queryByTestId("tokenize-progress")).not.toBeInTheDocument();
    expect(within(item).getByTestId("tokenization-facts")).toHaveTextContent("4,987,654 tokens · 10,250 rows · 21 MB on disk");
    expect(within(item).getByTestId("tokenization-delete")).toBeEnabled();

    const toggle = within(item).getByTestId("tokenization-stats-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const stats = within(item).getByTestId("tokenization-statistics");
    const tile = (key: string) => within(stats).getByTestId(`stat-${key}`);
    expect(tile("tokens")).toHaveTextContent("Tokens4,987,654padding excluded");
    expect(tile("rows")).toHaveTextContent("Rows10,250from 10,000 samples");
    expect(tile("mean")).toHaveTextContent("486.6");
    expect(tile("median")).toHaveTextContent("487");
    expect(tile("p90")).toHaveTextContent("505");
    expect(tile("p99")).toHaveTextContent("512");
    expect(tile("truncated")).toHaveTextContent("1,23412.3% of 10,000");
    expect(tile("unique")).toHaveTextContent("31,41562.5% of a 50,257 vocabulary");
    expect(tile("overflow")).toHaveTextContent("250");
    // Zero counts get no tile; nothing was padded.
    for (const key of ["dropped", "filtered_short", "filtered_long", "null", "unknown", "padding"]) {
      expect(within(stats).queryByTestId(`stat-${key}`)).not.toBeInTheDocument();
    }

    expect(within(stats).getByTestId("length-summary")).toHaveTextContent(
      "Min: 3 • Median: 487 • p90: 505 • p99: 512 • Max: 512 tokens • Mean: 486.6",
    );
    // The chart itself loads on demand (the first import of Recharts can take seconds on a busy machine).
    expect(
      await within(stats).findByRole("img", { name: /^Histogram of rows by length in tokens/ }, { timeout: 5_000 }),
    ).toBeInTheDocument();
    await user.click(within(stats).getByTestId("histogram-view-samples"));
    expect(within(stats).getByTestId("length-summary")).toHaveTextContent("Median: 498 • p90: 900 • p99: 1,800 • Max: 2,048");

    const top = within(stats).getAllByTestId("top-token");
    expect(top[0]).toHaveTextContent("␣the250,000");
    expect(top[3]).toHaveTextContent("↵90,000");
    expect(within(stats).getByTestId("split-statistics")).toHaveTextContent("train9,0009,2254,488,888");
  });

  it("shows padding overhead and what was dropped or filtered when there is some", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => [
        tokenizationFixture({
          status: "ready",
          settings: { ...tokenizationFixture().settings, padding: "max_length", min_tokens: 8, max_tokens: 4096 },
          statistics: statisticsFixture({
            num_padding_tokens: 250_000,
            padding_overhead: 0.0477,
            filtered_short: 12,
            filtered_long: 3,
            dropped_tokens: 77,
            null_samples: 2,
            unknown_tokens: 5,
          }),
          num_tokens: 4_987_654,
        }),
      ],
    });
    const item = await itemIn(tab);
    await user.click(within(item).getByTestId("tokenization-stats-toggle"));
    const stats = within(item).getByTestId("tokenization-statistics");
    expect(within(stats).getByTestId("stat-padding")).toHaveTextContent("4.8%250,000 padding tokens");
    expect(within(stats).getByTestId("stat-filtered_short")).toHaveTextContent("12samples under 8 tokens");
    expect(within(stats).getByTestId("stat-filtered_long")).toHaveTextContent("3samples over 4,096 tokens");
    expect(within(stats).getByTestId("stat-dropped")).toHaveTextContent("77");
    expect(within(stats).getByTestId("stat-null")).toHaveTextContent("2");
    expect(within(stats).getByTestId("stat-unknown")).toHaveTextContent("5");
  });

  it("says which encoder made each tokenization, and why when it was not the fast path", async () => {
    const { tab } = await openTokenization({
      tokenizers: [gpt2, tokenizerFixture({ id: "tk-llama", name: "llama2" })],
      tokenizations: () => [
        tokenizationFixture({ id: "tok_fast", status: "ready", statistics: statisticsFixture({ encoder: { path: "fast_bpe" } }) }),
        tokenizationFixture({
          id: "tok_ref",
          tokenizer_id: "tk-llama",
          status: "ready",
          statistics: statisticsFixture({ encoder: { path: "tokenizers", reason: "it uses byte fallback" } }),
        }),
        // Made before there was a choice: nothing is claimed.
        tokenizationFixture({ id: "tok_old", status: "ready", statistics: statisticsFixture() }),
      ],
    });
    const items = await within(tab).findAllByTestId("tokenization-item");
    const byId = (id: string) => items.find((i) => i.dataset.tokenizationId === id)!;
    expect(within(byId("tok_fast")).getByTestId("tokenization-encoder")).toHaveTextContent(
      "Encoded on the fast byte-level BPE path (ids identical to tokenizers)",
    );
    expect(within(byId("tok_ref")).getByTestId("tokenization-encoder")).toHaveTextContent(
      "Encoded with tokenizers: the fast path does not take this tokenizer (it uses byte fallback)",
    );
    expect(within(byId("tok_old")).queryByTestId("tokenization-encoder")).toBeNull();
  });

  it("shows a failed tokenization's error and retries it with the same settings, replacing it", async () => {
    const settings = { ...tokenizationFixture().settings, max_length: 2048, splits: ["train"] };
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => [tokenizationFixture({ status: "error", settings, error: "disk_full: No space left on device" })],
    });
    const item = await itemIn(tab);
    expect(within(item).getByTestId("status-badge")).toHaveTextContent("Error");
    expect(within(item).getByTestId("tokenization-error")).toHaveTextContent("disk_full: No space left on device");
    await user.click(within(item).getByTestId("tokenization-retry"));
    await waitFor(() => expect(backend.callsOf("start_tokenization")).toHaveLength(1));
    expect((backend.callsOf("start_tokenization")[0]?.args as { request: TokenizeRequest }).request).toEqual({
      dataset_id: "ds-1",
      tokenizer_id: "tk_gpt2",
      settings,
      replace: true,
    });
  });

  it("deletes after confirming, and shows why the engine refused", async () => {
    let refuse = true;
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      tokenizations: () => [tokenizationFixture({ status: "ready", size_bytes: 1024 ** 2, statistics: statisticsFixture() })],
      deleteTokenization: () =>
        refuse ? { error: { kind: "conflict", message: "this tokenization is being made; cancel its job before deleting it" } } : null,
    });
    const item = await itemIn(tab);
    await user.click(within(item).getByTestId("tokenization-delete"));
    let dialog = await screen.findByTestId("tokenization-delete-confirm");
    expect(dialog).toHaveTextContent("The tokenization of TinyStories with openai-community/gpt2 (max 512 · truncate · special tokens · column text) and its files (1 MB) will be deleted.");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("cancel its job before deleting it");

    refuse = false;
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByTestId("tokenization-delete-confirm")).not.toBeInTheDocument());
    expect(backend.callsOf("delete_tokenization").map((c) => c.args)).toEqual([{ id: "tok_1" }, { id: "tok_1" }]);

    // Cancelling the question deletes nothing.
    await user.click(within(item).getByTestId("tokenization-delete"));
    dialog = await screen.findByTestId("tokenization-delete-confirm");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(backend.callsOf("delete_tokenization")).toHaveLength(2);
  });

  it("tells several tokenizations of one tokenizer apart and deletes only the one chosen", async () => {
    const perSample = tokenizationFixture({ id: "tok_1", status: "ready", created_at: 1_700_000_100_000 });
    const packed = tokenizationFixture({
      id: "tok_2",
      status: "ready",
      created_at: 1_700_000_300_000,
      settings: { ...perSample.settings, packing: packingFixture({ context_size: 128 }), shuffle: true, seed: 1234 },
    });
    const oneDoc = tokenizationFixture({
      id: "tok_3",
      status: "ready",
      created_at: 1_700_000_200_000,
      settings: {
        ...perSample.settings,
        packing: packingFixture({ context_size: 128, disable_concat_sequences: true }),
        shuffle: true,
        seed: 77,
      },
    });
    let list = [perSample, packed, oneDoc];
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2], tokenizations: () => list });
    await waitFor(() => expect(within(tab).getAllByTestId("tokenization-item")).toHaveLength(3));
    const items = within(tab).getAllByTestId("tokenization-item");
    // Newest first, each with its settings, the seed included.
    expect(items.map((i) => i.getAttribute("data-tokenization-id"))).toEqual(["tok_2", "tok_3", "tok_1"]);
    expect(items.map((i) => within(i).getByTestId("tokenization-summary").textContent)).toEqual([
      "packed 128 · row start BOS · separator BOS · shuffled seed 1234 · column text",
      "packed 128 · one document per row · row start BOS · shuffled seed 77 · column text",
      "max 512 · truncate · special tokens · column text",
    ]);
    expect(items[0]).toHaveAccessibleName(
      "Tokenization with openai-community/gpt2 (packed 128 · row start BOS · separator BOS · shuffled seed 1234 · column text)",
    );

    await user.click(
      within(tab).getByRole("button", {
        name: "Delete the tokenization with openai-community/gpt2 (packed 128 · one document per row · row start BOS · shuffled seed 77 · column text)",
      }),
    );
    const dialog = await screen.findByTestId("tokenization-delete-confirm");
    expect(dialog).toHaveTextContent("one document per row");
    list = [perSample, packed];
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(within(tab).getAllByTestId("tokenization-item")).toHaveLength(2));
    expect(backend.callsOf("delete_tokenization").map((c) => c.args)).toEqual([{ id: "tok_3" }]);
    // One of a tokenizer left: its name is enough again.
    list = [packed];
    await act(() => events.tokenizationsChanged.emit({ dataset_id: "ds-1" }));
    await waitFor(() => expect(within(tab).getAllByTestId("tokenization-item")).toHaveLength(1));
    expect(within(tab).getByTestId("tokenization-item")).toHaveAccessibleName("Tokenization with openai-community/gpt2");
  });
});
