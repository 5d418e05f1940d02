// Types for fetch-corpora.js, so its TypeScript test can import it.
export interface CorpusFile {
  corpus: string;
  file: string;
  repository: string;
  commit: string;
  path: string;
  sha256: string;
}
export declare const MANIFEST: string;
export declare const DEFAULT_DEST: string;
export declare const DEFAULT_BASE_URL: string;
/** The manifest's rows; throws naming the first malformed line. */
export declare function parseManifest(text: string): CorpusFile[];
/** Fetches every file of the manifest that dest lacks (or holds with another hash). */
export declare function fetchCorpora(options?: {
  dest?: string;
  baseUrl?: string;
  files?: CorpusFile[];
  log?: (line: string) => void;
}): Promise<{ fetched: number; kept: number }>;
