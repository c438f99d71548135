'use strict';
// The half-maximum latency goal's bounds, read by the bench's latency-by-load table and by the
// performance page's goal row.

/** Added p50 and p99 over direct, ms. */
const HALF_MAX_BOUNDS = Object.freeze({ p50: 3, p99: 15 });

/** Whether an added { p50, p99 } is within both bounds. */
const withinHalfMaxBounds = (added) => added.p50 <= HALF_MAX_BOUNDS.p50 && added.p99 <= HALF_MAX_BOUNDS.p99;

module.exports = { HALF_MAX_BOUNDS, withinHalfMaxBounds };
