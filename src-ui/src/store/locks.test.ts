import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { events, type AppError, type DataLock } from "../bindings";
import { lockFixture, mockBackend, type BackendOptions } from "../test/backend";
import { LOCKS_POLL_MS, startLocksSync, useDatasetLock, useLocksStore } from "./locks";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const lockCalls = (backend: ReturnType<typeof mockBackend>) => backend.callsOf("data_locks").length;

describe("locks store", () => {
  it("loads at start and reloads on locks-changed and datasets-changed", async () => {
    let locks: DataLock[] = [];
    const backend = mockBackend({ dataLocks: () => locks });
    const stop = startLocksSync();
    try {
      await waitFor(() => expect(useLocksStore.getState().loaded).toBe(true));
      expect(lockCalls(backend)).toBe(1);

      locks = [lockFixture()];
      await act(() => events.locksChanged.emit({}));
      await waitFor(() => expect(useLocksStore.getState().locks).toEqual([lockFixture()]));

      locks = [];
      await act(() => events.datasetsChanged.emit({ dataset_ids: ["ds-1"] }));
      await waitFor(() => expect(useLocksStore.getState().locks).toEqual([]));
      expect(lockCalls(backend)).toBe(3);
    } finally {
      stop();
    }
  });

  it("polls as a safety net and stops polling when stopped", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const backend = mockBackend();
    const stop = startLocksSync();
    await waitFor(() => expect(lockCalls(backend)).toBe(1));
    vi.advanceTimersByTime(LOCKS_POLL_MS);
    await waitFor(() => expect(lockCalls(backend)).toBe(2));
    stop();
    vi.advanceTimersByTime(3 * LOCKS_POLL_MS);
    await act(() => Promise.resolve());
    expect(lockCalls(backend)).toBe(2);
  });

  it("keeps the last locks when a load fails", async () => {
    const shareGone: AppError = { kind: "network", message: "share went away" };
    const failed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const options: BackendOptions = { dataLocks: [lockFixture()] };
    mockBackend(options);
    await useLocksStore.getState().load();
    // The engine's Err(AppError) from now on.
    options.dataLocks = { error: shareGone };
    await useLocksStore.getState().load();
    const state = useLocksStore.getState();
    expect(state.locks).toEqual([lockFixture()]);
    expect(state.error).toEqual(shareGone);
    expect(failed).toHaveBeenCalled();
  });

  it("gives a dataset's live lock to components, never a stale one", async () => {
    const live = lockFixture({ dataset_id: "ds-1" });
    mockBackend({ dataLocks: [live, lockFixture({ dataset_id: "ds-2", stale: "no heartbeat for 12 min" })] });
    await useLocksStore.getState().load();
    expect(renderHook(() => useDatasetLock("ds-1")).result.current).toEqual(live);
    expect(renderHook(() => useDatasetLock("ds-2")).result.current).toBeNull();
    expect(renderHook(() => useDatasetLock("ds-3")).result.current).toBeNull();
  });
});
