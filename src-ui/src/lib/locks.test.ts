import { describe, expect, it } from "vitest";
import { lockFixture } from "../test/backend";
import { busyLabel, formatSince, liveLockFor, lockBlocker, lockDescription, lockNotice } from "./locks";

const at = (h: number, m: number, day = 3) => new Date(2026, 2, day, h, m).getTime();

describe("liveLockFor", () => {
  it("finds the dataset's live lock and skips stale ones and other datasets", () => {
    const live = lockFixture({ dataset_id: "ds-1" });
    const stale = lockFixture({ dataset_id: "ds-2", stale: "holder gone (process 4242 not running)" });
    const other = lockFixture({ dataset_id: "ds-3", host: "laptop" });
    expect(liveLockFor([stale, live, other], "ds-1")).toBe(live);
    expect(liveLockFor([stale, live, other], "ds-2")).toBeNull();
    expect(liveLockFor([], "ds-1")).toBeNull();
  });

  it("prefers the newest of several live locks", () => {
    const older = lockFixture({ host: "a", started_at: 1_000 });
    const newer = lockFixture({ host: "b", started_at: 2_000 });
    expect(liveLockFor([newer, older], "ds-1")).toBe(newer);
    expect(liveLockFor([older, newer], "ds-1")).toBe(newer);
  });
});

describe("formatSince", () => {
  it("gives the time alone for today and the day too for an earlier day", () => {
    expect(formatSince(at(14, 3), at(16, 0))).toBe("14:03");
    expect(formatSince(at(9, 5, 1), at(16, 0))).toBe("1 Mar, 09:05");
    expect(formatSince(Number.NaN)).toBe("an unknown time");
  });
});

describe("lock texts", () => {
  const now = at(15, 0);

  it("says which machine and process holds the dataset and what it does", () => {
    const lock = lockFixture({ started_at: at(14, 3) });
    expect(busyLabel(lock)).toBe("Busy on jetson-01");
    expect(lockDescription(lock, now)).toBe("Process 4242 on jetson-01 is tokenizing with gpt2 since 14:03");
    expect(lockBlocker(lock)).toBe("Busy on jetson-01 — wait for it to finish there");
    expect(lockNotice(lock)).toBe(
      "Busy on jetson-01: tokenizing with gpt2. Tokenizing and deleting wait until it finishes there.",
    );
  });

  it("says another process on this machine when the holder is here", () => {
    const lock = lockFixture({ same_machine: true, host: "lab-box-01", pid: 77, purpose: "importing", started_at: at(14, 3) });
    expect(lockDescription(lock, now)).toBe("Another process on this machine (process 77) is importing since 14:03");
    expect(lockBlocker(lock)).toBe("Busy in another process on this machine — wait for it to finish");
    expect(lockNotice(lock)).toBe(
      "Busy in another process on this machine (process 77): importing. Tokenizing and deleting wait until it finishes.",
    );
  });

  it("never leaves the purpose empty", () => {
    const lock = lockFixture({ purpose: "  ", started_at: at(14, 3) });
    expect(lockDescription(lock, now)).toBe("Process 4242 on jetson-01 is working on it since 14:03");
  });
});
