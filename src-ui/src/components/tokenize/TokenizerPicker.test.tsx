import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { events, type Tokenizer } from "../../bindings";
import { tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Tokenizer library", () => {
  it("says how to add one when the library is empty", async () => {
    const { tab } = await openTokenization({ tokenizers: [] });
    expect(await within(tab).findByTestId("tokenizer-empty")).toHaveTextContent("Add a tokenizer from a Hub model repo");
    expect(within(tab).getByLabelText("Tokenizer")).toBeDisabled();
    expect(within(tab).getByTestId("tokenizer-delete")).toBeDisabled();
  });

  it("adds a tokenizer from the Hub: validates the repo id, shows a spinner, then selects it", async () => {
    let library: Tokenizer[] = [gpt2];
    const fetch = deferred<Tokenizer>();
    const { tab, user, backend } = await openTokenization({
      tokenizers: () => library,
      addTokenizerHub: () => () => fetch.promise,
    });
    await user.click(within(tab).getByRole("button", { name: "Add from Hub" }));
    const form = within(tab).getByTestId("tokenizer-hub-form");
    const repo = within(form).getByLabelText("Model repository");
    expect(repo).toHaveFocus();
    const submit = within(form).getByTestId("tokenizer-hub-submit");
    expect(submit).toBeDisabled();

    await user.type(repo, "meta/llama--3");
    expect(within(form).getByTestId("tokenizer-hub-repo-error")).toHaveTextContent('Name must not contain "--" or "..".');
    expect(submit).toBeDisabled();

    await user.clear(repo);
    await user.type(repo, "meta-llama/Llama-3.2-1B");
    const token = within(form).getByLabelText("Access Token (optional)");
    expect(token).toHaveAttribute("type", "password");
    await user.type(token, "hf_secret");
    await user.click(submit);

    expect(submit).toHaveTextContent("Fetching…");
    expect(submit).toBeDisabled();
    expect(backend.callsOf("add_tokenizer_hub")[0]?.args).toEqual({
      repoId: "meta-llama/Llama-3.2-1B",
      revision: null,
      token: "hf_secret",
    });

    const llama = tokenizerFixture({ id: "tk_llama", name: "meta-llama/Llama-3.2-1B", vocab_size: 128_256 });
    library = [gpt2, llama];
    await act(async () => {
      fetch.resolve(llama);
      await fetch.promise;
    });
    await waitFor(() => expect(within(tab).getByLabelText("Tokenizer")).toHaveValue("tk_llama"));
    expect(within(tab).queryByTestId("tokenizer-hub-form")).not.toBeInTheDocument();
  });

  it("shows the typed error when the Hub refuses", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      addTokenizerHub: () => ({
        error: { kind: "gated", message: "meta-llama/Llama-3.2-1B is gated: accept its conditions on the Hub, then add a token" },
      }),
    });
    await user.click(within(tab).getByRole("button", { name: "Add from Hub" }));
    const form = within(tab).getByTestId("tokenizer-hub-form");
    await user.type(within(form).getByLabelText("Model repository"), "meta-llama/Llama-3.2-1B");
    await user.click(within(form).getByTestId("tokenizer-hub-submit"));
    const error = await within(form).findByTestId("tokenizer-hub-error");
    expect(within(error).getByTestId("error-kind")).toHaveTextContent("gated");
    expect(within(error).getByTestId("error-message")).toHaveTextContent("accept its conditions on the Hub");
    expect(within(form).getByTestId("tokenizer-hub-submit")).toHaveTextContent("Add tokenizer");

    // Escape folds the form away without closing the dialog.
    await user.keyboard("{Escape}");
    expect(within(tab).queryByTestId("tokenizer-hub-form")).not.toBeInTheDocument();
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();
  });

  it("adds a tokenizer.json picked in the native file dialog", async () => {
    let library: Tokenizer[] = [gpt2];
    let picked: string | null = null;
    const { tab, user, backend } = await openTokenization({
      tokenizers: () => library,
      dialogOpen: () => picked,
      addTokenizerFile: (path) => {
        const t = tokenizerFixture({ id: "tk_file", name: "tokenizer", source: "local", hf_repo_id: null, file_name: "tokenizer.json" });
        library = [gpt2, t];
        expect(path).toBe("/home/me/models/tokenizer.json");
        return t;
      },
    });
    // Cancelling the picker adds nothing.
    await user.click(within(tab).getByRole("button", { name: "Add from file" }));
    await waitFor(() => expect(backend.callsOf("plugin:dialog|open")).toHaveLength(1));
    expect(backend.callsOf("add_tokenizer_file")).toHaveLength(0);
    expect(backend.callsOf("plugin:dialog|open")[0]?.args).toMatchObject({
      options: { multiple: false, filters: [{ name: "Tokenizer", extensions: ["json"] }] },
    });

    picked = "/home/me/models/tokenizer.json";
    await user.click(within(tab).getByRole("button", { name: "Add from file" }));
    await waitFor(() => expect(within(tab).getByLabelText("Tokenizer")).toHaveValue("tk_file"));
    expect(backend.callsOf("add_tokenizer_file")[0]?.args).toEqual({ path: "/home/me/models/tokenizer.json", name: null });
    expect(within(tab).getByTestId("tokenizer-details")).toHaveTextContent("File tokenizer.json");
  });

  it("shows why a file could not be added", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      dialogOpen: () => "/tmp/broken.json",
      addTokenizerFile: () => ({ error: { kind: "corrupt", message: "/tmp/broken.json is not a tokenizer.json: expected value at line 1" } }),
    });
    await user.click(within(tab).getByRole("button", { name: "Add from file" }));
    expect(await within(tab).findByTestId("tokenizer-file-error")).toHaveTextContent(
      "corrupt: /tmp/broken.json is not a tokenizer.json",
    );
  });

  it("deletes a tokenizer after confirming and shows the engine's refusal", async () => {
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      deleteTokenizer: () => ({
        error: { kind: "conflict", message: "openai-community/gpt2 is used by 2 tokenizations; delete them first" },
      }),
    });
    await waitFor(() => expect(within(tab).getByLabelText("Tokenizer")).toHaveValue("tk_gpt2"));
    await user.click(within(tab).getByRole("button", { name: "Delete tokenizer openai-community/gpt2" }));
    const dialog = await screen.findByTestId("tokenizer-delete-confirm");
    expect(dialog).toHaveTextContent("openai-community/gpt2 will be removed from the tokenizer library.");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await within(tab).findByTestId("tokenizer-delete-error")).toHaveTextContent(
      "conflict: openai-community/gpt2 is used by 2 tokenizations; delete them first",
    );
    expect(backend.callsOf("delete_tokenizer")[0]?.args).toEqual({ id: "tk_gpt2" });
  });

  it("reloads the library when the engine says it changed", async () => {
    let library: Tokenizer[] = [gpt2];
    const { tab } = await openTokenization({ tokenizers: () => library });
    await waitFor(() => expect(within(within(tab).getByLabelText("Tokenizer")).getAllByRole("option")).toHaveLength(1));
    library = [gpt2, tokenizerFixture({ id: "tk_2", name: "EleutherAI/pythia-70m", vocab_size: 50_277 })];
    await act(() => events.tokenizersChanged.emit({}));
    await waitFor(() => expect(within(within(tab).getByLabelText("Tokenizer")).getAllByRole("option")).toHaveLength(2));
  });
});
