// Waiting and the monotonic clock every phase times with.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();
