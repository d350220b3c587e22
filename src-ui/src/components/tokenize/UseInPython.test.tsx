import { waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { packingFixture, statisticsFixture, tokenizationFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();
const FOLDER = "/srv/mistudio/data/datasets/ds-1/tokenized/tok_2";

const packed = tokenizationFixture({
  id: "tok_2",
  status: "ready",
  path: FOLDER,
  statistics: statisticsFixture(),
  settings: { ...tokenizationFixture().settings, packing: packingFixture({ context_size: 128 }), shuffle: true, seed: 42 },
});

async function openPython(tokenization = packed) {
  const opened = await openTokenization({ tokenizers: [gpt2], tokenizations: () => [tokenization] });
  const item = await within(opened.tab).findByTestId("tokenization-item");
  return { ...opened, item };
}

describe("Use in Python", () => {
  it("shows the folder and snippets that name it, for datasets and SAELens", async () => {
    const { user, item } = await openPython();
    const toggle = within(item).getByRole("button", { name: "Use in Python" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(item).queryByTestId("use-in-python")).not.toBeInTheDocument();
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const panel = within(item).getByTestId("use-in-python");
    expect(toggle).toHaveAttribute("aria-controls", panel.id);

    expect(within(panel).getByTestId("python-path")).toHaveTextContent(FOLDER);
    expect(within(panel).getByTestId("python-splits")).toHaveTextContent("Splits train, test");
    expect(within(panel).getByTestId("python-code-load_from_disk").textContent).toBe(
      `from datasets import load_from_disk\n\nds = load_from_disk("${FOLDER}")["train"]`,
    );
    expect(within(panel).getByTestId("python-code-load_dataset").textContent).toBe(
      `from datasets import load_dataset\n\nds = load_dataset("${FOLDER}", split="train")`,
    );
    const sae = within(panel).getByTestId("python-code-sae_lens").textContent ?? "";
    expect(sae).toContain(`model_name="openai-community/gpt2",`);
    expect(sae).toContain(`    dataset_path="${FOLDER}",\n    is_dataset_tokenized=True,\n    context_size=128,\n`);
    expect(sae).toContain(
      `sae = LanguageModelSAETrainingRunner(cfg, override_dataset=load_from_disk("${FOLDER}")["train"]).run()`,
    );
  });

  it("copies the folder and each snippet to the clipboard", async () => {
    const { user, item } = await openPython();
    await user.click(within(item).getByRole("button", { name: "Use in Python" }));
    const panel = within(item).getByTestId("use-in-python");

    await user.click(within(panel).getByRole("button", { name: "Copy the folder path" }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(FOLDER));
    expect(within(panel).getByTestId("python-path-copy")).toHaveTextContent("Copied");

    await user.click(within(panel).getByRole("button", { name: "Copy the SAELens: train an SAE on these rows snippet" }));
    const code = within(panel).getByTestId("python-code-sae_lens").textContent;
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(code));

    await user.click(within(panel).getByRole("button", { name: "Copy the datasets: load_from_disk snippet" }));
    await waitFor(async () =>
      expect(await navigator.clipboard.readText()).toBe(
        `from datasets import load_from_disk\n\nds = load_from_disk("${FOLDER}")["train"]`,
      ),
    );
  });

  it("says when copying failed", async () => {
    const { user, item } = await openPython();
    await user.click(within(item).getByRole("button", { name: "Use in Python" }));
    const panel = within(item).getByTestId("use-in-python");
    const refuse = vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("not allowed"));
    try {
      await user.click(within(panel).getByRole("button", { name: "Copy the folder path" }));
      await waitFor(() => expect(within(panel).getByTestId("python-path-copy")).toHaveTextContent("Could not copy"));
    } finally {
      refuse.mockRestore();
    }
  });

  it("escapes backslashes and quotes of the folder in the Python strings", async () => {
    const windows = 'C:\\Users\\lab "shared"\\tok_9';
    const { user, item } = await openPython(tokenizationFixture({ ...packed, id: "tok_9", path: windows }));
    await user.click(within(item).getByRole("button", { name: "Use in Python" }));
    const panel = within(item).getByTestId("use-in-python");
    expect(within(panel).getByTestId("python-path")).toHaveTextContent(windows);
    expect(within(panel).getByTestId("python-code-load_from_disk").textContent).toContain(
      'load_from_disk("C:\\\\Users\\\\lab \\"shared\\"\\\\tok_9")["train"]',
    );
  });

  it("offers SAELens only for packed rows, and reads the split the tokenization holds", async () => {
    const perSample = tokenizationFixture({
      id: "tok_3",
      status: "ready",
      path: "/data/tok_3",
      settings: { ...tokenizationFixture().settings, splits: ["test"] },
    });
    const { user, item } = await openPython(perSample);
    await user.click(within(item).getByRole("button", { name: "Use in Python" }));
    const panel = within(item).getByTestId("use-in-python");
    expect(within(panel).queryByTestId("python-snippet-sae_lens")).not.toBeInTheDocument();
    expect(within(panel).getByTestId("python-no-sae-lens")).toHaveTextContent("tokenize in packed mode");
    expect(within(panel).getByTestId("python-splits")).toHaveTextContent("Split test");
    expect(within(panel).getByTestId("python-code-load_dataset").textContent).toContain(
      'load_dataset("/data/tok_3", split="test")',
    );
  });

  it.each([
    ["still being made", tokenizationFixture({ ...packed, status: "processing" })],
    ["failed", tokenizationFixture({ ...packed, status: "error", error: "disk full" })],
    ["without a folder from the engine", tokenizationFixture({ ...packed, path: undefined })],
  ])("is not offered for a tokenization %s", async (_case, tz) => {
    const { item } = await openPython(tz);
    expect(within(item).queryByRole("button", { name: "Use in Python" })).not.toBeInTheDocument();
    expect(within(item).queryByTestId("use-in-python")).not.toBeInTheDocument();
  });
});
