// Runs Azurite's Blob service in a child process that ends when the test process does: the
// parent holds this process's stdin open, and a closed stdin (the parent exited, even killed)
// ends it. Azurite alone would outlive a crashed test run.
'use strict';
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS entry point
require(require.resolve('azurite/dist/src/blob/main.js'));
