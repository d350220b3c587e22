import { describe, expect, it } from "vitest";
import type { Dataset, DatasetStatus } from "../bindings";
import { datasetFixture } from "../test/backend";
import {
  DEFAULT_LIST_OPTIONS,
  defaultDirection,
  directionLabel,
  filterDatasets,
  matchesQuery,
  matchesStatus,
  noMatchText,
  sortDatasets,
  visibleDatasets,
  type ListOptions,
} from "./datasetList";

const ids = (list: Dataset[]) => list.map((d) => d.id);
const opts = (over: Partial<ListOptions>): ListOptions => ({ ...DEFAULT_LIST_OPTIONS, ...over });

const ALL_STATUSES: DatasetStatus[] = ["queued", "downloading", "processing", "ready", "error", "cancelled", "deleting"];

describe("matchesStatus", () => {
  it("lets everything through with All", () => {
    expect(ALL_STATUSES.every((s) => matchesStatus(s, "all"))).toBe(true);
  });

  it("groups queued, downloading, processing and deleting as In progress", () => {
    expect(ALL_STATUSES.filter((s) => matchesStatus(s, "in_progress"))).toEqual([
      "queued",
      "downloading",
      "processing",
      "deleting",
    ]);
  });

  it("matches Ready, Error and Cancelled exactly", () => {
    expect(ALL_STATUSES.filter((s) => matchesStatus(s, "ready"))).toEqual(["ready"]);
    expect(ALL_STATUSES.filter((s) => matchesStatus(s, "error"))).toEqual(["error"]);
    expect(ALL_STATUSES.filter((s) => matchesStatus(s, "cancelled"))).toEqual(["cancelled"]);
  });
});

describe("matchesQuery", () => {
  const ds = datasetFixture({ name: "TinyStories", hf_repo_id: "roneneldan/TinyStories-v2" });

  it("is a case-insensitive substring on the name", () => {
    expect(matchesQuery(ds, "tinyst")).toBe(true);
    expect(matchesQuery(ds, "STORIES")).toBe(true);
    expect(matchesQuery(ds, "wiki")).toBe(false);
  });

  it("also searches the Hub repo id", () => {
    expect(matchesQuery(ds, "RonenEldan")).toBe(true);
    expect(matchesQuery(ds, "-v2")).toBe(true);
  });

  it("ignores surrounding spaces and matches everything when blank", () => {
    expect(matchesQuery(ds, "  tiny  ")).toBe(true);
    expect(matchesQuery(ds, "   ")).toBe(true);
  });

  it("handles a local dataset without a repo id", () => {
    const local = datasetFixture({ name: "notes.jsonl", source: "local", hf_repo_id: null });
    expect(matchesQuery(local, "notes")).toBe(true);
    expect(matchesQuery(local, "roneneldan")).toBe(false);
  });
});

describe("filterDatasets", () => {
  const list = [
    datasetFixture({ id: "hub-ready", name: "alpha", status: "ready" }),
    datasetFixture({ id: "hub-error", name: "beta", status: "error" }),
    datasetFixture({ id: "loc-ready", name: "gamma", source: "local", hf_repo_id: null, status: "ready" }),
    datasetFixture({ id: "loc-queued", name: "delta", source: "local", hf_repo_id: null, status: "queued" }),
  ];

  it("filters by source", () => {
    expect(ids(filterDatasets(list, opts({ source: "local" })))).toEqual(["loc-ready", "loc-queued"]);
    expect(ids(filterDatasets(list, opts({ source: "hugging_face" })))).toEqual(["hub-ready", "hub-error"]);
  });

  it("combines search, status and source", () => {
    expect(ids(filterDatasets(list, opts({ status: "ready", source: "local" })))).toEqual(["loc-ready"]);
    expect(ids(filterDatasets(list, opts({ status: "in_progress" })))).toEqual(["loc-queued"]);
    expect(ids(filterDatasets(list, opts({ query: "ta", status: "error" })))).toEqual(["hub-error"]);
    expect(filterDatasets(list, opts({ query: "alpha", source: "local" }))).toEqual([]);
  });

  it("keeps the input order and does not mutate it", () => {
    const copy = [...list];
    expect(ids(filterDatasets(list, DEFAULT_LIST_OPTIONS))).toEqual(ids(copy));
    expect(list).toEqual(copy);
  });
});

describe("sortDatasets", () => {
  const list = [
    datasetFixture({ id: "b", name: "beta", size_bytes: 200, created_at: 3 }),
    datasetFixture({ id: "n", name: "no-size", size_bytes: null, created_at: 1 }),
    datasetFixture({ id: "a", name: "Alpha", size_bytes: 300, created_at: 2 }),
    datasetFixture({ id: "c", name: "charlie", size_bytes: 100, created_at: 4 }),
  ];

  it("sorts names case-insensitively both ways", () => {
    expect(ids(sortDatasets(list, "name", "asc"))).toEqual(["a", "b", "c", "n"]);
    expect(ids(sortDatasets(list, "name", "desc"))).toEqual(["n", "c", "b", "a"]);
  });

  it("orders numbers in names by value", () => {
    const shards = [
      datasetFixture({ id: "10", name: "shard-10" }),
      datasetFixture({ id: "2", name: "shard-2" }),
    ];
    expect(ids(sortDatasets(shards, "name", "asc"))).toEqual(["2", "10"]);
  });

  it("sorts by size with unknown sizes last in either direction", () => {
    expect(ids(sortDatasets(list, "size", "desc"))).toEqual(["a", "b", "c", "n"]);
    expect(ids(sortDatasets(list, "size", "asc"))).toEqual(["c", "b", "a", "n"]);
  });

  it("sorts by date added", () => {
    expect(ids(sortDatasets(list, "date", "desc"))).toEqual(["c", "b", "a", "n"]);
    expect(ids(sortDatasets(list, "date", "asc"))).toEqual(["n", "a", "b", "c"]);
  });

  it("keeps the input order for ties", () => {
    const same = [
      datasetFixture({ id: "x", created_at: 5, size_bytes: null }),
      datasetFixture({ id: "y", created_at: 5, size_bytes: null }),
      datasetFixture({ id: "z", created_at: 5, size_bytes: null }),
    ];
    expect(ids(sortDatasets(same, "date", "desc"))).toEqual(["x", "y", "z"]);
    expect(ids(sortDatasets(same, "date", "asc"))).toEqual(["x", "y", "z"]);
    expect(ids(sortDatasets(same, "size", "asc"))).toEqual(["x", "y", "z"]);
  });

  it("returns a copy", () => {
    const before = ids(list);
    sortDatasets(list, "name", "asc");
    expect(ids(list)).toEqual(before);
  });
});

describe("visibleDatasets", () => {
  it("defaults to everything, newest first", () => {
    const list = [
      datasetFixture({ id: "old", created_at: 1 }),
      datasetFixture({ id: "new", created_at: 9 }),
    ];
    expect(ids(visibleDatasets(list, DEFAULT_LIST_OPTIONS))).toEqual(["new", "old"]);
  });

  it("filters, then sorts", () => {
    const list = [
      datasetFixture({ id: "z", name: "zeta", status: "ready" }),
      datasetFixture({ id: "e", name: "eta", status: "error" }),
      datasetFixture({ id: "a", name: "alpha", status: "ready" }),
    ];
    expect(ids(visibleDatasets(list, opts({ status: "ready", sort: "name", direction: "asc" })))).toEqual(["a", "z"]);
  });
});

describe("labels and helpers", () => {
  it("picks a natural first direction per sort", () => {
    expect(defaultDirection("name")).toBe("asc");
    expect(defaultDirection("size")).toBe("desc");
    expect(defaultDirection("date")).toBe("desc");
  });

  it("names the order in words", () => {
    expect(directionLabel("date", "desc")).toBe("Newest first");
    expect(directionLabel("date", "asc")).toBe("Oldest first");
    expect(directionLabel("size", "desc")).toBe("Largest first");
    expect(directionLabel("size", "asc")).toBe("Smallest first");
    expect(directionLabel("name", "asc")).toBe("A to Z");
    expect(directionLabel("name", "desc")).toBe("Z to A");
  });

  it("says what matched nothing", () => {
    expect(noMatchText(opts({ query: " tiny " }))).toBe("No datasets match “tiny”");
    expect(noMatchText(opts({ query: "tiny", status: "error" }))).toBe("No datasets match “tiny” with these filters");
    expect(noMatchText(opts({ source: "local" }))).toBe("No datasets match these filters");
  });
});
