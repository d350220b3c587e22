import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AppError } from "../bindings";
import { deferred } from "../test/deferred";
import { useBusyAction } from "./useBusyAction";

const diskFull: AppError = { kind: "disk_full", message: "No space left on device" };

/** Fails the way a command does: with the engine's plain AppError. */
const refuse = (): Promise<never> => {
  const failing = deferred<never>();
  failing.reject(diskFull);
  return failing.promise;
};

describe("useBusyAction", () => {
  it("is busy while the action runs and resolves with its result", async () => {
    const { result } = renderHook(() => useBusyAction());
    const answer = deferred<number>();
    expect(result.current.busy).toBe(false);

    let running!: Promise<number | undefined>;
    act(() => {
      running = result.current.run(() => answer.promise);
    });
    expect(result.current.busy).toBe(true);

    await act(async () => {
      answer.resolve(7);
      await expect(running).resolves.toBe(7);
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it("keeps the failure as an AppError, clears the flag and resolves with undefined", async () => {
    const { result } = renderHook(() => useBusyAction());
    await act(async () => {
      await expect(result.current.run(refuse)).resolves.toBeUndefined();
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.error).toEqual(diskFull);

    await act(async () => {
      await result.current.run(() => Promise.reject(new Error("boom")));
    });
    expect(result.current.error).toEqual({ kind: "internal", message: "boom" });
  });

  it("clears the last error when run again or when asked", async () => {
    const { result } = renderHook(() => useBusyAction());
    await act(() => result.current.run(refuse));
    expect(result.current.error).toEqual(diskFull);

    const answer = deferred<void>();
    let running!: Promise<void | undefined>;
    act(() => {
      running = result.current.run(() => answer.promise);
    });
    expect(result.current.error).toBeNull();
    await act(async () => {
      answer.reject(diskFull);
      await running;
    });
    expect(result.current.error).toEqual(diskFull);

    act(() => result.current.clearError());
    expect(result.current.error).toBeNull();
  });
});
