import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TokenizePreset, TokenizeRequest, TokenizeSettings } from "../../bindings";
import { DEFAULT_SETTINGS } from "../../lib/tokenize";
import { packingFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();
const saePreset: TokenizePreset = {
  name: "SAE packed 128",
  settings: {
    ...DEFAULT_SETTINGS,
    text_column: "title",
    packing: packingFixture({ context_size: 128, begin_batch_token: { kind: "none" }, sequence_separator_token: { kind: "id", id: 198 } }),
    min_tokens: 4,
    shuffle: true,
    seed: 11,
  },
};

describe("Tokenization presets", () => {
  it("saves the current settings under a name and selects it", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    const select = within(tab).getByLabelText("Preset");
    await waitFor(() => expect(select).toBeEnabled());
    expect(within(select).getByRole("option")).toHaveTextContent("No saved presets");

    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    await user.click(within(tab).getByRole("button", { name: "Save as preset…" }));
    const name = within(tab).getByLabelText("Preset name");
    expect(name).toHaveFocus();
    await user.type(name, "  SAE 1024  ");
    await user.click(within(tab).getByTestId("preset-save"));

    await waitFor(() => expect(backend.callsOf("save_tokenize_preset")).toHaveLength(1));
    const args = backend.callsOf("save_tokenize_preset")[0]?.args as { name: string; settings: TokenizeSettings };
    expect(args.name).toBe("SAE 1024");
    expect(args.settings.packing).toEqual(packingFixture());
    expect(args.settings).toMatchObject({ shuffle: true, seed: null });
    await waitFor(() => expect(select).toHaveValue("SAE 1024"));
    expect(within(tab).queryByLabelText("Preset name")).not.toBeInTheDocument();
    expect(within(tab).getByTestId("preset-help")).toHaveTextContent("packed 1,024 · row start BOS · separator BOS · shuffled");
  });

  it("applies a preset to the form and says when the form was changed since", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2], presets: [saePreset] });
    const select = within(tab).getByLabelText("Preset");
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(2));
    await user.selectOptions(select, "SAE packed 128");

    expect(within(tab).getByTestId("tokenize-mode-packed")).toBeChecked();
    expect(within(tab).getByLabelText("Context Size")).toHaveValue(128);
    expect(within(tab).getByLabelText("Row Start Token")).toHaveValue("none");
    expect(within(tab).getByLabelText("Separator Token")).toHaveValue("id");
    expect(within(tab).getByLabelText("Separator Token ID")).toHaveValue(198);
    expect(within(tab).getByLabelText("Seed")).toHaveValue(11);
    expect(within(tab).getByLabelText("Text Column")).toHaveValue("title");
    expect(within(tab).getByLabelText("Minimum Tokens")).toHaveValue(4);
    expect(within(tab).getByTestId("preset-help")).not.toHaveTextContent("modified");

    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(backend.callsOf("start_tokenization")).toHaveLength(1));
    const request = (backend.callsOf("start_tokenization")[0]?.args as { request: TokenizeRequest }).request;
    expect(request.settings).toEqual(saePreset.settings);

    await user.clear(within(tab).getByLabelText("Context Size"));
    await user.type(within(tab).getByLabelText("Context Size"), "256");
    expect(within(tab).getByTestId("preset-help")).toHaveTextContent("modified since applied");
  });

  it("offers to overwrite an existing name and shows the engine's error", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      presets: [saePreset],
      savePreset: () => ({ error: { kind: "internal", message: "the presets file presets.json could not be used: read-only" } }),
    });
    await user.click(within(tab).getByRole("button", { name: "Save as preset…" }));
    await user.type(within(tab).getByLabelText("Preset name"), "SAE packed 128");
    expect(within(tab).getByTestId("preset-save")).toHaveTextContent("Overwrite");
    await user.click(within(tab).getByTestId("preset-save"));
    expect(await within(tab).findByTestId("preset-error")).toHaveTextContent(
      "internal: the presets file presets.json could not be used: read-only",
    );
  });

  it("deletes the selected preset after confirming", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2], presets: [saePreset] });
    const select = within(tab).getByLabelText("Preset");
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(2));
    expect(within(tab).getByTestId("preset-delete")).toBeDisabled();
    await user.selectOptions(select, "SAE packed 128");
    await user.click(within(tab).getByRole("button", { name: "Delete preset SAE packed 128" }));
    const dialog = await screen.findByTestId("preset-delete-confirm");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(backend.callsOf("delete_tokenize_preset")).toHaveLength(1));
    expect(backend.callsOf("delete_tokenize_preset")[0]?.args).toEqual({ name: "SAE packed 128" });
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(1));
    expect(select).toHaveValue("");
    // The form keeps the applied settings.
    expect(within(tab).getByLabelText("Context Size")).toHaveValue(128);
  });
});
