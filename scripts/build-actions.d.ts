// Types for build-actions.js, so TypeScript tests (the dist check, the test bench) can import it.
export declare const repoRoot: string;
/** Absolute paths of the folders under `<root>/actions` that hold an action.yml, sorted. */
export declare function actionDirs(root?: string): string[];
/** Bundles `<actionDir>/src/index.ts` with ncc into outDir (default `<actionDir>/dist`). */
export declare function buildAction(actionDir: string, outDir?: string): Promise<void>;
