// Runs Azurite's Blob service inside a child process that ends when its parent does: the
// parent (the sandbox, a test) holds this process's stdin open, and a closed stdin (the parent
// exited, even by SIGKILL) ends it. Azurite alone would outlive a crashed parent.
'use strict';
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS entry point
require(require.resolve('azurite/dist/src/blob/main.js'));
