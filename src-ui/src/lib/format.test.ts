import { describe, expect, it } from "vitest";
import {
  etaSeconds,
  formatBytes,
  formatCompact,
  formatCount,
  formatDateTime,
  formatDuration,
  formatEta,
  formatLength,
  formatPercent,
  formatTransferBytes,
  humanize,
  jobsSummary,
  percentOf,
  transferText,
} from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1536, "1.5 KB"],
    [1024 * 1024, "1 MB"],
    [547_998_843, "522.61 MB"],
    [2.3 * 1024 ** 3, "2.3 GB"],
    [442_718_208_000, "412.31 GB"],
    [442_703_754_035, "412.3 GB"],
    [5 * 1024 ** 4, "5 TB"],
    [3 * 1024 ** 5, "3072 TB"],
  ])("%d bytes -> %s", (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it("rounds up to the next unit instead of showing 1024", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
    expect(formatBytes(1023.996 * 1024)).toBe("1 MB");
  });

  it("uses at most two decimals", () => {
    expect(formatBytes(1234567)).toBe("1.18 MB");
  });

  it("rejects nonsense input", () => {
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("formatCount", () => {
  it("adds thousands separators", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(250000)).toBe("250,000");
    expect(formatCount(7)).toBe("7");
  });
});

describe("humanize / percentOf / jobsSummary", () => {
  it("humanizes stage names", () => {
    expect(humanize("downloading_files")).toBe("Downloading files");
    expect(humanize("")).toBe("");
  });

  it("computes percentages only with a known total", () => {
    expect(percentOf(45, 100)).toBe(45);
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(200, 100)).toBe(100);
    expect(percentOf(5, null)).toBeNull();
    expect(percentOf(5, 0)).toBeNull();
  });

  it("summarises jobs", () => {
    expect(jobsSummary({ jobs_running: 0, jobs_queued: 0 })).toBe("No jobs running");
    expect(jobsSummary({ jobs_running: 1, jobs_queued: 0 })).toBe("1 job running");
    expect(jobsSummary({ jobs_running: 2, jobs_queued: 3 })).toBe("2 jobs running, 3 queued");
  });
});

describe("formatTransferBytes / formatEta / transferText", () => {
  it("uses one fixed decimal above bytes", () => {
    expect(formatTransferBytes(512)).toBe("512 B");
    expect(formatTransferBytes(45.2 * 1024 ** 2)).toBe("45.2 MB");
    expect(formatTransferBytes(120 * 1024 ** 2)).toBe("120.0 MB");
    expect(formatTransferBytes(1024 ** 2 - 1)).toBe("1.0 MB");
    expect(formatTransferBytes(-5)).toBe("—");
  });

  it.each([
    [0, "0 s"],
    [0.2, "1 s"],
    [6.08, "6 s"],
    [59.4, "59 s"],
    [60, "1 min"],
    [180, "3 min"],
    [3599, "1 h"],
    [3600 + 5 * 60, "1 h 5 min"],
    [2 * 3600, "2 h"],
  ])("formatEta(%d) -> %s", (secs, expected) => {
    expect(formatEta(secs)).toBe(expected);
  });

  it("estimates time left only with a total and a positive rate", () => {
    expect(etaSeconds(50, 100, 10)).toBe(5);
    expect(etaSeconds(50, null, 10)).toBeNull();
    expect(etaSeconds(50, 100, 0)).toBeNull();
    expect(etaSeconds(50, 100, null)).toBeNull();
  });

  it("builds the transfer line", () => {
    const mb = 1024 ** 2;
    expect(transferText({ done: 45.2 * mb, total: 120 * mb, bytes_per_sec: 12.3 * mb })).toBe(
      "45.2 MB / 120.0 MB • 12.3 MB/s • 6 s left",
    );
    expect(transferText({ done: 45.2 * mb, total: 120 * mb, bytes_per_sec: null })).toBe("45.2 MB / 120.0 MB");
    expect(transferText({ done: 45.2 * mb, total: 120 * mb, bytes_per_sec: 0 })).toBe("45.2 MB / 120.0 MB");
    expect(transferText({ done: 45.2 * mb, total: null, bytes_per_sec: 2 * mb })).toBe("45.2 MB • 2.0 MB/s");
  });
});

describe("tokenization formatting", () => {
  it("formats compact counts", () => {
    expect(formatCompact(987)).toBe("987");
    expect(formatCompact(1234)).toBe("1.2k");
    expect(formatCompact(123_456)).toBe("123k");
    expect(formatCompact(3_400_000)).toBe("3.4M");
    expect(formatCompact(2_500_000_000)).toBe("2.5B");
  });

  it("formats elapsed time", () => {
    expect(formatDuration(8.9)).toBe("8 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(180)).toBe("3 min");
    expect(formatDuration(3720)).toBe("1 h 2 min");
    expect(formatDuration(7200)).toBe("2 h");
    expect(formatDuration(-1)).toBe("—");
  });

  it("formats shares and lengths", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(0.5)).toBe("50%");
    expect(formatPercent(0.000123, 2)).toBe("0.01%");
    expect(formatLength(487)).toBe("487");
    expect(formatLength(1523.44)).toBe("1,523.4");
  });

  it("formats a timestamp with the year", () => {
    expect(formatDateTime(Date.UTC(2026, 2, 3, 12, 0))).toMatch(/2026/);
    expect(formatDateTime(Number.NaN)).toBe("—");
  });
});
