import { act, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { events, type Tokenization } from "../../bindings";
import {
  datasetFixture,
  readyDatasetFixture,
  storageFixture,
  tokenizationFixture,
  tokenizerFixture,
} from "../../test/backend";
import { openModal } from "../../test/detail";

const gpt2 = tokenizerFixture();
const bert = tokenizerFixture({ id: "tk_bert", name: "google-bert/bert-base-uncased" });

describe("Overview storage", () => {
  it("shows the bytes on disk by part, their total and the resolved Hub revision", async () => {
    const { modal } = await openModal({ tokenizers: [gpt2] });
    const storage = within(modal).getByTestId("overview-storage");
    expect(await within(storage).findByTestId("storage-total")).toHaveTextContent("2.4 GB");
    expect(within(storage).getByTestId("storage-raw")).toHaveTextContent("Download cache1.2 GB50%");
    expect(within(storage).getByTestId("storage-canonical")).toHaveTextContent("Canonical data1 GB42%");
    await waitFor(() =>
      expect(within(storage).getByTestId("storage-tokenization")).toHaveTextContent(
        "Tokenization: openai-community/gpt2200 MB8%",
      ),
    );
    expect(within(storage).getByTestId("storage-other")).toHaveTextContent("Other51.2 KB0%");

    const revision = within(modal).getByTestId("overview-revision");
    expect(revision).toHaveTextContent(/^0123456789ab$/);
    expect(revision).toHaveAttribute("title", "0123456789abcdef0123456789abcdef01234567");
    expect(within(modal).getByTestId("overview-repository")).toContainElement(revision);
  });

  it("has no download cache and no revision for a local dataset", async () => {
    const local = datasetFixture({
      ...readyDatasetFixture(),
      source: "local",
      hf_repo_id: null,
      hf_config: null,
    });
    const { modal, backend } = await openModal(
      { datasetStorage: () => storageFixture({ raw_cache_bytes: null, hub_revision: null, tokenizations: [] }) },
      local,
    );
    const storage = within(modal).getByTestId("overview-storage");
    expect(await within(storage).findByTestId("storage-total")).toHaveTextContent("1 GB");
    expect(within(storage).queryByTestId("storage-raw")).not.toBeInTheDocument();
    expect(within(storage).queryByTestId("storage-tokenization")).not.toBeInTheDocument();
    expect(within(modal).queryByTestId("overview-revision")).not.toBeInTheDocument();
    expect(backend.callsOf("dataset_storage")[0]?.args).toEqual({ datasetId: "ds-1" });
  });

  it("measures again when the dataset's tokenizations change", async () => {
    let tokenizations: Tokenization[] = [tokenizationFixture()];
    let storageNow = storageFixture();
    const { modal, backend } = await openModal({
      tokenizers: [gpt2, bert],
      tokenizations: () => tokenizations,
      datasetStorage: () => storageNow,
    });
    const storage = within(modal).getByTestId("overview-storage");
    await waitFor(() => expect(within(storage).getAllByTestId("storage-tokenization")).toHaveLength(1));
    const before = backend.callsOf("dataset_storage").length;

    tokenizations = [...tokenizations, tokenizationFixture({ id: "tok_bert", tokenizer_id: "tk_bert" })];
    storageNow = storageFixture({
      tokenizations: [
        ...storageFixture().tokenizations,
        { tokenization_id: "tok_bert", tokenizer_id: "tk_bert", bytes: 104_857_600 },
      ],
    });
    await act(() => events.tokenizationsChanged.emit({ dataset_id: "ds-1" }));
    await waitFor(() => expect(within(storage).getAllByTestId("storage-tokenization")).toHaveLength(2));
    expect(backend.callsOf("dataset_storage").length).toBeGreaterThan(before);
    expect(within(storage).getAllByTestId("storage-tokenization")[1]).toHaveTextContent(
      "Tokenization: google-bert/bert-base-uncased100 MB",
    );
    expect(within(storage).getByTestId("storage-total")).toHaveTextContent("2.49 GB");
  });

  it("says when the storage cannot be measured and retries", async () => {
    let fail = true;
    const { modal, user } = await openModal({
      datasetStorage: () => (fail ? { error: { kind: "internal", message: "disk unreadable" } } : storageFixture()),
    });
    const storage = within(modal).getByTestId("overview-storage");
    expect(await within(storage).findByRole("alert")).toHaveTextContent("internal: disk unreadable");
    fail = false;
    await user.click(within(storage).getByRole("button", { name: "Retry" }));
    expect(await within(storage).findByTestId("storage-total")).toHaveTextContent("2.4 GB");
  });
});
