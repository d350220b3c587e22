import { describe, expect, it } from "vitest";
import { jobFixture } from "../test/backend";
import { activeJobFor, useJobsStore } from "./jobs";
import { tokenizeJobFor } from "./tokenize";

describe("jobs store", () => {
  it("upserts by id and ignores updates older than the stored job", () => {
    const { upsert } = useJobsStore.getState();
    upsert(jobFixture({ updated_at: 100, stage: "a" }));
    upsert(jobFixture({ updated_at: 200, stage: "b" }));
    upsert(jobFixture({ updated_at: 150, stage: "stale" }));
    upsert(jobFixture({ id: "job-2", updated_at: 50, stage: "other" }));
    const { jobs } = useJobsStore.getState();
    expect(jobs["job-1"]?.stage).toBe("b");
    expect(jobs["job-2"]?.stage).toBe("other");
  });

  it("finds the newest active job for a dataset", () => {
    const jobs = {
      a: jobFixture({ id: "a", target: "ds-1", status: "succeeded", updated_at: 300 }),
      b: jobFixture({ id: "b", target: "ds-1", status: "running", updated_at: 200 }),
      c: jobFixture({ id: "c", target: "ds-1", status: "queued", updated_at: 250 }),
      d: jobFixture({ id: "d", target: "ds-2", status: "running", updated_at: 999 }),
    };
    expect(activeJobFor(jobs, "ds-1")?.id).toBe("c");
    expect(activeJobFor(jobs, "ds-3")).toBeNull();
  });
});

describe("tokenize jobs", () => {
  it("finds the active tokenize job of a tokenization", () => {
    const jobs = {
      a: jobFixture({ id: "a", kind: "dataset.tokenize", target: "tok_1", status: "succeeded", updated_at: 300 }),
      b: jobFixture({ id: "b", kind: "dataset.tokenize", target: "tok_1", status: "running", updated_at: 200 }),
      c: jobFixture({ id: "c", kind: "dataset.download", target: "tok_1", status: "running", updated_at: 400 }),
    };
    expect(tokenizeJobFor(jobs, "tok_1")?.id).toBe("b");
    expect(tokenizeJobFor(jobs, "tok_2")).toBeNull();
  });
});
