import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { HttpHandler } from '@azure/functions';

import { FunctionsHost } from '../azure/functions-host.js';
import type { AzuriteBlob } from '../emulators/azurite.js';
import { SandboxError } from '../errors.js';
import { repoRoot } from '../paths.js';
import type { CellDeployOptions, CellRunner } from './cell-runner.js';
import { loadFunctionsBuild } from './functions-build.js';

// Provisional until functions/src/azure lands: the shape the sandbox expects from it.
interface AzureCell {
  http: HttpHandler;
  destroy?(): void;
}
interface AzureCellModule {
  createAzureCell(config: Record<string, unknown>, options?: Record<string, unknown>): AzureCell;
}

const ENTRY = 'functions/src/azure/cell.ts';

/** The Azure cell: the Functions v4 handlers of the current build behind the local host. */
export class AzureCellRunner implements CellRunner {
  readonly cloud = 'azure' as const;
  readonly host = new FunctionsHost({ routePrefix: '' });
  private current: AzureCell | undefined;

  constructor(
    private readonly azurite: AzuriteBlob,
    private readonly peerUrl: () => string,
  ) {}

  get url(): string {
    return this.host.url;
  }

  get version(): string | undefined {
    return this.host.version;
  }

  listen(port: number, hint: string): Promise<number> {
    return this.host.listen(port, hint);
  }

  async deploy(version: string, options: CellDeployOptions = {}): Promise<void> {
    if (!existsSync(join(repoRoot(), ENTRY))) {
      throw new SandboxError(
        `the Azure Functions handlers have not landed yet (${ENTRY} is missing)`,
      );
    }
    const build = await loadFunctionsBuild<AzureCellModule>(ENTRY, `azure-${version}`);
    const cell = build.createAzureCell({
      cell: 'azure',
      peerCell: 'aws',
      peerUrl: this.peerUrl(),
      version,
      storageConnectionString: this.azurite.connectionString,
      documentsContainer: options.breakHealth ? 'documents-missing' : 'documents',
    });
    this.host.deploy(version, [{ name: 'http', route: '{*path}', handler: cell.http }]);
    const previous = this.current;
    this.current = cell;
    previous?.destroy?.();
  }

  async stop(): Promise<void> {
    await this.host.close();
    this.current?.destroy?.();
  }
}
