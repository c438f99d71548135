// Noticing that the process which started us is gone. Linux has prctl(PR_SET_PDEATHSIG) for this;
// Node has not, but an orphan is re-parented (to PID 1 or a subreaper), so its parent PID changes.
'use strict';

/**
 * Call onGone once when this process's parent changes (the parent died, however it died). The
 * check is a getppid() every intervalMs; the timer is unref'd, so it never keeps a process alive.
 */
function watchParent(onGone, intervalMs = 500) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Once the parent is gone, nobody reads this process's pipes any more: writing a last log line
 * must not turn a clean stop into an EPIPE crash (nor EIO on a closed terminal).
 */
function ignoreBrokenOutput() {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

module.exports = { watchParent, ignoreBrokenOutput };
