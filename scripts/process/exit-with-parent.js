// Preloaded (node --require) into every service that scripts/stack.js starts, for `npm start` and the
// end-to-end tests: when the process that started the service is gone (SIGKILLed, or it lost its
// terminal), the service stops as if it got SIGTERM (Nest closes its listeners and drains NATS)
// instead of running on, re-parented, holding its ports. Nothing here runs in production images.
'use strict';
const { watchParent, ignoreBrokenOutput } = require('./parent-watch');

// A graceful stop that hangs must not leave the process behind either.
const HARD_STOP_MS = 15_000;

watchParent(() => {
  ignoreBrokenOutput();
  setTimeout(() => process.exit(1), HARD_STOP_MS).unref();
  process.kill(process.pid, 'SIGTERM');
});
