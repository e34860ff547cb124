// Small helpers shared by the player's modules.

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Resolves after the current task, once microtasks queued now (rrweb's event filing) have run. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Index of the last item of `sorted` (ascending by `key`) with key <= `at`, or -1. */
export function lastAtOrBefore<T>(sorted: readonly T[], at: number, key: (item: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(sorted[mid]) <= at) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}
