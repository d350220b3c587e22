import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import type { Dataset, DownloadRequest, RepoInspection } from "../bindings";
import { datasetFixture, inspectionFixture, mockBackend } from "../test/backend";

async function renderForm() {
  const user = userEvent.setup();
  render(<App />);
  await screen.findByTestId("datasets-empty");
  return {
    user,
    repo: screen.getByTestId("download-repo"),
    token: screen.getByTestId("download-token"),
    config: screen.getByTestId<HTMLSelectElement>("download-config"),
    split: screen.getByTestId<HTMLSelectElement>("download-split"),
    submit: screen.getByTestId("download-submit"),
  };
}

function optionTexts(select: HTMLSelectElement): string[] {
  return within(select)
    .getAllByRole("option")
    .map((o) => o.textContent ?? "");
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Download form", () => {
  it("looks like the mock before anything is typed", async () => {
    const backend = mockBackend();
    const { repo, token, config, split, submit } = await renderForm();

    expect(screen.getByRole("heading", { name: "Download from HuggingFace" })).toBeInTheDocument();
    expect(screen.getByLabelText("Repository ID")).toBe(repo);
    expect(repo).toHaveAttribute("placeholder", "username/dataset-name");
    expect(screen.getByLabelText("Access Token (optional)")).toBe(token);
    expect(token).toHaveAttribute("type", "password");
    expect(token).toHaveAttribute("placeholder", "hf_...");
    expect(token).toHaveClass("font-mono");
    expect(token).toHaveAccessibleDescription("Required for private or gated datasets");
    expect(screen.queryByLabelText("Remember this token on this machine")).not.toBeInTheDocument();

    expect(screen.getByLabelText("Config")).toBe(config);
    expect(screen.getByLabelText("Split")).toBe(split);
    expect(config.tagName).toBe("SELECT");
    expect(split.tagName).toBe("SELECT");
    expect(config).toBeDisabled();
    expect(split).toBeDisabled();
    expect(config).toHaveAccessibleDescription("Check the repository to choose");
    expect(split).toHaveAccessibleDescription("Check the repository to choose");

    expect(submit).toBeDisabled();
    expect(submit).toHaveTextContent("Download Dataset");
    expect(submit).toHaveClass("bg-emerald-600", "disabled:bg-slate-700", "w-full");
    expect(screen.queryByTestId("download-repo-validation")).not.toBeInTheDocument();
    expect(screen.queryByTestId("download-inspection")).not.toBeInTheDocument();
    expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(0);
  });

  it("validates the repo id as you type and names the rule broken", async () => {
    const backend = mockBackend();
    const { user, repo, submit } = await renderForm();

    const cases: [string, string][] = [
      ["a/b/c", 'Use "name" or "owner/name" (at most one "/").'],
      ["owner/na--me", 'Name must not contain "--" or "..".'],
      ["-owner/name", 'Owner must not start or end with "-" or ".".'],
      ["owner/repo.git", 'Name must not end with ".git".'],
      ["owner/na me", "Repository ID must not contain spaces."],
      ["owner/" + "x".repeat(97), "Name must be at most 96 characters."],
      ["own!er/name", 'Owner may only contain letters, digits, "-", "_" and ".".'],
    ];
    for (const [value, message] of cases) {
      await user.clear(repo);
      await user.click(repo);
      await user.paste(value);
      const validation = screen.getByTestId("download-repo-validation");
      expect(validation).toHaveTextContent(message);
      expect(validation).toHaveClass("text-xs", "text-red-400");
      expect(repo).toHaveAttribute("aria-invalid", "true");
      expect(submit).toBeDisabled();
      expect(screen.getByRole("button", { name: "Check" })).toBeDisabled();
    }

    await user.clear(repo);
    expect(screen.queryByTestId("download-repo-validation")).not.toBeInTheDocument();

    await user.type(repo, "roneneldan/TinyStories");
    expect(screen.queryByTestId("download-repo-validation")).not.toBeInTheDocument();
    expect(repo).toHaveAttribute("aria-invalid", "false");
    expect(submit).toBeEnabled();
    // Invalid ids were never sent to the backend.
    for (const call of backend.callsOf("inspect_dataset_repo")) {
      expect(call.args).toMatchObject({ repoId: "roneneldan/TinyStories" });
    }
  });

  it("inspects after a pause in typing and fills the Config and Split pickers", async () => {
    const backend = mockBackend();
    const { user, repo, config, split } = await renderForm();

    await user.type(repo, "roneneldan/TinyStories");
    const line = await screen.findByTestId("download-inspection");
    await waitFor(() => expect(line).toHaveTextContent("3 configs • card"), { timeout: 2000 });
    expect(line).toHaveTextContent("Short stories for small language models.");
    expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(1);
    expect(backend.callsOf("inspect_dataset_repo")[0]?.args).toEqual({
      repoId: "roneneldan/TinyStories",
      token: null,
      revision: null,
    });

    expect(config).toBeEnabled();
    expect(config).toHaveValue("default"); // the default config is preselected
    expect(optionTexts(config)).toEqual(["default", "en", "zh"]);
    expect(config).toHaveAccessibleDescription("Dataset configuration");

    expect(split).toBeEnabled();
    expect(split).toHaveValue(""); // All splits
    expect(optionTexts(split)).toEqual(["All splits", "train — 1.2 GB", "validation — 12 MB"]);

    await user.selectOptions(config, "en");
    expect(optionTexts(split)).toEqual(["All splits", "test — 2 KB"]);
    await user.selectOptions(split, "test");
    expect(split).toHaveValue("test");

    // A config without splits only offers "All splits".
    await user.selectOptions(config, "zh");
    expect(split).toHaveValue("");
    expect(optionTexts(split)).toEqual(["All splits"]);
  });

  it("inspects on leaving the field and with Check, passing the token", async () => {
    const backend = mockBackend();
    const { user, repo, token } = await renderForm();

    await user.type(token, "hf_secret");
    await user.type(repo, "Salesforce/wikitext");
    await user.tab(); // leave the field
    await waitFor(() => expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(1));
    expect(backend.callsOf("inspect_dataset_repo")[0]?.args).toEqual({
      repoId: "Salesforce/wikitext",
      token: "hf_secret",
      revision: null,
    });
    await waitFor(() => expect(screen.getByTestId("download-inspection")).toHaveTextContent("3 configs"));

    await user.click(screen.getByRole("button", { name: "Check" }));
    await waitFor(() => expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(2));
    // The debounce does not repeat a check that was already made.
    await new Promise((r) => setTimeout(r, 800));
    expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(2);
  });

  it("ignores a stale inspection answer: the later repo id wins", async () => {
    const answers: Record<string, ReturnType<typeof deferred<RepoInspection>>> = {
      "owner/first": deferred<RepoInspection>(),
      "owner/second": deferred<RepoInspection>(),
    };
    const backend = mockBackend({
      inspect: (repoId) => () => {
        const answer = answers[repoId];
        if (!answer) throw new Error(`unexpected ${repoId}`);
        return answer.promise;
      },
    });
    const { user, repo, config } = await renderForm();

    await user.type(repo, "owner/first");
    await user.tab();
    await waitFor(() => expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(1));
    expect(screen.getByTestId("download-inspection")).toHaveTextContent("Checking…");

    await user.clear(repo);
    await user.type(repo, "owner/second");
    await user.tab();
    await waitFor(() => expect(backend.callsOf("inspect_dataset_repo")).toHaveLength(2));

    answers["owner/second"]?.resolve(
      inspectionFixture({
        repo_id: "owner/second",
        source: "layout",
        description: null,
        configs: [{ name: "second-cfg", default: true, splits: [] }],
      }),
    );
    await waitFor(() => expect(screen.getByTestId("download-inspection")).toHaveTextContent("1 config • layout"));
    expect(config).toHaveValue("second-cfg");

    answers["owner/first"]?.resolve(inspectionFixture({ repo_id: "owner/first" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByTestId("download-inspection")).toHaveTextContent("1 config • layout");
    expect(optionTexts(config)).toEqual(["second-cfg (default)"]);
  });

  it("shows an inspection error with its kind and keeps the pickers disabled", async () => {
    mockBackend({
      inspect: () => ({
        error: { kind: "gated", message: "Accept the conditions on the dataset page or give a token." },
      }),
    });
    const { user, repo, config, split, submit } = await renderForm();
    await user.type(repo, "private/gated-corpus");
    await user.click(screen.getByRole("button", { name: "Check" }));

    const line = await screen.findByTestId("download-inspection");
    await waitFor(() => expect(line).toHaveTextContent("gated"));
    expect(line).toHaveTextContent("Accept the conditions on the dataset page or give a token.");
    expect(line).toHaveClass("text-red-400");
    expect(config).toBeDisabled();
    expect(split).toBeDisabled();
    // Refused by the Hub for this token: a download would fail the same way.
    expect(submit).toBeDisabled();
    // A token (or another repo id) may change the answer: the download can be tried again.
    await user.type(screen.getByLabelText(/Access Token/i), "hf_granted");
    expect(submit).toBeEnabled();
  });

  it("keeps the download possible when the check failed for a reason the Hub may not repeat", async () => {
    mockBackend({
      inspect: () => ({ error: { kind: "network", message: "the Hub did not answer" } }),
    });
    const { user, repo, submit } = await renderForm();
    await user.type(repo, "owner/name");
    await user.click(screen.getByRole("button", { name: "Check" }));
    await screen.findByText(/the Hub did not answer/);
    expect(submit).toBeEnabled();
  });

  it("submits start_download with the chosen config, split and token, then clears the form", async () => {
    let list: Dataset[] = [];
    const backend = mockBackend({
      datasets: () => list,
      startDownload: (request) => {
        const created = datasetFixture({ id: "ds-new", name: request.repo_id, status: "queued" });
        list = [created];
        return created;
      },
    });
    const { user, repo, token, config, split, submit } = await renderForm();

    await user.type(repo, "roneneldan/TinyStories");
    await user.type(token, "hf_secret");
    const remember = screen.getByLabelText("Remember this token on this machine");
    expect(remember).toHaveAccessibleDescription("Saved where huggingface-cli keeps it, readable only by you");
    await user.click(remember);
    await waitFor(() => expect(config).toBeEnabled(), { timeout: 2000 });
    await user.selectOptions(config, "en");
    await user.selectOptions(split, "test");
    await user.click(submit);

    await waitFor(() => expect(backend.callsOf("start_download")).toHaveLength(1));
    expect(backend.callsOf("start_download")[0]?.args).toEqual({
      request: {
        repo_id: "roneneldan/TinyStories",
        config: "en",
        split: "test",
        revision: null,
        token: "hf_secret",
        remember_token: true,
        include: [],
        exclude: [],
        rows: null,
        keep_hub_files: null,
      } satisfies DownloadRequest,
    });

    expect(await screen.findByRole("heading", { name: "roneneldan/TinyStories" })).toBeInTheDocument();
    expect(repo).toHaveValue("");
    expect(token).toHaveValue("");
    expect(config).toBeDisabled();
    expect(split).toBeDisabled();
    expect(submit).toBeDisabled();
    expect(screen.queryByLabelText("Remember this token on this machine")).not.toBeInTheDocument();
    expect(screen.queryByTestId("download-inspection")).not.toBeInTheDocument();
    expect(backend.callsOf("list_datasets").length).toBeGreaterThanOrEqual(2);
  });

  it("sends null split for All splits and null token when none is typed", async () => {
    const backend = mockBackend();
    const { user, repo, config, submit } = await renderForm();
    await user.type(repo, "wikitext");
    await user.click(screen.getByRole("button", { name: "Check" }));
    await waitFor(() => expect(config).toBeEnabled());
    await user.click(submit);

    await waitFor(() => expect(backend.callsOf("start_download")).toHaveLength(1));
    expect(backend.callsOf("start_download")[0]?.args).toEqual({
      request: {
        repo_id: "wikitext",
        config: "default",
        split: null,
        revision: null,
        token: null,
        remember_token: false,
        include: [],
        exclude: [],
        rows: null,
        keep_hub_files: null,
      },
    });
  });

  it("does not remember a token that was typed and then removed", async () => {
    const backend = mockBackend();
    const { user, repo, token, submit } = await renderForm();
    await user.type(repo, "owner/name");
    await user.type(token, "hf_x");
    await user.click(screen.getByLabelText("Remember this token on this machine"));
    await user.clear(token);
    expect(screen.queryByLabelText("Remember this token on this machine")).not.toBeInTheDocument();
    await user.click(submit);
    await waitFor(() => expect(backend.callsOf("start_download")).toHaveLength(1));
    expect(backend.callsOf("start_download")[0]?.args).toMatchObject({
      request: { repo_id: "owner/name", token: null, remember_token: false },
    });
  });

  it("shows a conflict error from start_download and keeps the form", async () => {
    mockBackend({
      startDownload: () => ({
        error: { kind: "conflict", message: "roneneldan/TinyStories is already downloading" },
      }),
    });
    const { user, repo, submit } = await renderForm();
    await user.type(repo, "roneneldan/TinyStories");
    await user.click(submit);

    const error = await screen.findByTestId("download-error");
    expect(within(error).getByTestId("error-kind")).toHaveTextContent("conflict");
    expect(within(error).getByTestId("error-message")).toHaveTextContent(
      "roneneldan/TinyStories is already downloading",
    );
    expect(within(error).getByRole("alert")).toHaveTextContent("Could not start the download");
    expect(repo).toHaveValue("roneneldan/TinyStories");
    expect(submit).toBeEnabled();

    // Editing the form clears the error.
    await user.type(repo, "-v2");
    expect(screen.queryByTestId("download-error")).not.toBeInTheDocument();
  });
});
