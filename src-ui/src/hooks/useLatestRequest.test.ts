import { renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AppError } from "../bindings";
import { deferred } from "../test/deferred";
import { useLatestRequest } from "./useLatestRequest";

describe("useLatestRequest", () => {
  it("drops a slower older answer that arrives after a newer one", async () => {
    const { result } = renderHook(() => useLatestRequest());
    const older = deferred<string>();
    const newer = deferred<string>();
    const onValue = vi.fn();
    const onError = vi.fn();

    const first = result.current.run(older.promise, onValue, onError);
    const second = result.current.run(newer.promise, onValue, onError);
    newer.resolve("newer");
    await second;
    older.resolve("older");
    await first;

    expect(onValue.mock.calls).toEqual([["newer"]]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("drops an older failure too, and hands the newest failure over as an AppError", async () => {
    const { result } = renderHook(() => useLatestRequest());
    const older = deferred<string>();
    const newer = deferred<string>();
    const onValue = vi.fn();
    const onError = vi.fn();
    const refused: AppError = { kind: "network", message: "offline" };

    const first = result.current.run(older.promise, onValue, onError);
    const second = result.current.run(newer.promise, onValue, onError);
    older.reject(new Error("stale"));
    await first;
    newer.reject(refused);
    await second;

    expect(onValue).not.toHaveBeenCalled();
    expect(onError.mock.calls).toEqual([[refused]]);
  });

  it("drops answers still on their way when asked to", async () => {
    const { result } = renderHook(() => useLatestRequest());
    const answer = deferred<number>();
    const onValue = vi.fn();

    const running = result.current.run(answer.promise, onValue, vi.fn());
    result.current.drop();
    answer.resolve(1);
    await running;
    expect(onValue).not.toHaveBeenCalled();

    await result.current.run(Promise.resolve(2), onValue, vi.fn());
    expect(onValue.mock.calls).toEqual([[2]]);
  });

  it("drops answers that arrive after unmount", async () => {
    const { result, unmount } = renderHook(() => useLatestRequest());
    const answer = deferred<string>();
    const failure = deferred<string>();
    const onValue = vi.fn();
    const onError = vi.fn();

    const latest = result.current;
    const running = latest.run(answer.promise, onValue, onError);
    unmount();
    answer.resolve("late");
    await running;
    expect(onValue).not.toHaveBeenCalled();

    const { result: other, unmount: unmountOther } = renderHook(() => useLatestRequest());
    const failing = other.current.run(failure.promise, onValue, onError);
    unmountOther();
    failure.reject(new Error("late"));
    await failing;
    expect(onError).not.toHaveBeenCalled();
  });

  it("keeps the same object across renders", () => {
    const { result, rerender } = renderHook(() => useLatestRequest());
    const first = result.current;
    rerender();
    expect(result.current).toBe(first);
  });
});
