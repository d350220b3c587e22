import { afterEach, beforeEach, vi } from "vitest";

/**
 * jsdom lays nothing out, so Recharts' ResponsiveContainer measures 0 × 0 and draws no chart.
 * Within the calling test file, report this size for chart containers so bars are drawn and can
 * be counted (other elements keep jsdom's zero box).
 */
export function giveChartsASize(width = 800, height = 300) {
  beforeEach(() => {
    const box = (w: number, h: number): DOMRect => ({
      x: 0,
      y: 0,
      top: 0,
      left: 0,
      right: w,
      bottom: h,
      width: w,
      height: h,
      toJSON: () => ({}),
    });
    vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockImplementation(function (this: HTMLElement) {
      // Everything else gets the all-zero box jsdom itself reports.
      return this.classList.contains("recharts-responsive-container") ? box(width, height) : box(0, 0);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}
