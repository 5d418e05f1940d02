// Placeholder until the sandbox lands (issue: local sandbox). It says so plainly.
console.log('The local sandbox is not built yet. Run `npm test` to run every check.');
process.exit(1);
