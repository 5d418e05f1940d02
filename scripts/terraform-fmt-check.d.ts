// Types for terraform-fmt-check.js, so its TypeScript test can import it.
/** Folders under root that hold at least one .tf file (node_modules, .terraform, dist, build left out), sorted. */
export declare function terraformDirs(root: string): string[];
