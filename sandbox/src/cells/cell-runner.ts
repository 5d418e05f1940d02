import type { Cloud } from '../clouds.js';

export interface CellDeployOptions {
  /** Deploy a release whose health check fails (a bad setting), to rehearse a rollback. */
  breakHealth?: boolean;
  /**
   * Restart rather than swap: the cell answers 503 for this long before the new build takes
   * requests (what draining a cell before its deploy protects against). Default 0.
   */
  downtimeMs?: number;
}

/** One cloud's cell as the sandbox runs it: a stable URL, and deploys of new builds. */
export interface CellRunner {
  readonly cloud: Cloud;
  readonly url: string;
  readonly version: string | undefined;
  deploy(version: string, options?: CellDeployOptions): Promise<void>;
  stop(): Promise<void>;
}
