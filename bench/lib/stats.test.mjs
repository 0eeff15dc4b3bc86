import assert from "node:assert/strict";
import { test } from "node:test";
import { median, pairRatios } from "./stats.mjs";

test("median of odd and even counts", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test("pair ratios pair runs by index and skip missing figures", () => {
  assert.deepEqual(pairRatios([2, 6, 4], [1, 2, 2]), { median: 2, min: 2, max: 3 });
  assert.deepEqual(pairRatios([2, null], [1, 1]), { median: 2, min: 2, max: 2 });
  assert.equal(pairRatios([null], [1]), null);
});
