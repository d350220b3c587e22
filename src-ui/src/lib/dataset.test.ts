import { describe, expect, it } from "vitest";
import { datasetFixture, jobFixture, lockFixture, readyDatasetFixture } from "../test/backend";
import { deleteBlocker } from "./dataset";

describe("deleteBlocker", () => {
  it("allows deleting an idle dataset", () => {
    expect(deleteBlocker(readyDatasetFixture(), null, null)).toBeNull();
  });

  it("names the job that holds the dataset", () => {
    const downloading = datasetFixture({ status: "downloading" });
    expect(deleteBlocker(downloading, jobFixture({ kind: "dataset.download" }), null)).toBe(
      "Downloading — cancel it first",
    );
    expect(deleteBlocker(downloading, jobFixture({ kind: "dataset.import" }), null)).toBe("Importing — cancel it first");
  });

  it("says a dataset is already being deleted", () => {
    expect(deleteBlocker(datasetFixture({ status: "deleting" }), null, null)).toBe("Being deleted");
  });

  it("names the machine whose live lock holds the dataset", () => {
    expect(deleteBlocker(readyDatasetFixture(), null, lockFixture())).toBe(
      "Busy on jetson-01 — wait for it to finish there",
    );
    expect(deleteBlocker(readyDatasetFixture(), null, lockFixture({ same_machine: true, host: "laptop" }))).toBe(
      "Busy in another process on this machine — wait for it to finish",
    );
  });

  it("ignores a stale lock, which the next job breaks", () => {
    expect(deleteBlocker(readyDatasetFixture(), null, lockFixture({ stale: "no heartbeat for 10 min" }))).toBeNull();
  });
});
