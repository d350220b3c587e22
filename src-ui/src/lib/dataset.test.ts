import { describe, expect, it } from "vitest";
import { datasetFixture, jobFixture, readyDatasetFixture } from "../test/backend";
import { deleteBlocker } from "./dataset";

describe("deleteBlocker", () => {
  it("allows deleting an idle dataset", () => {
    expect(deleteBlocker(readyDatasetFixture(), null)).toBeNull();
  });

  it("names the job that holds the dataset", () => {
    const downloading = datasetFixture({ status: "downloading" });
    expect(deleteBlocker(downloading, jobFixture({ kind: "dataset.download" }))).toBe("Downloading — cancel it first");
    expect(deleteBlocker(downloading, jobFixture({ kind: "dataset.import" }))).toBe("Importing — cancel it first");
  });

  it("says a dataset is already being deleted", () => {
    expect(deleteBlocker(datasetFixture({ status: "deleting" }), null)).toBe("Being deleted");
  });
});
