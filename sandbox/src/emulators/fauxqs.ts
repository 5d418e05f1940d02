import { startFauxqs, type FauxqsServer } from 'fauxqs';

import { SandboxError } from '../errors.js';
import { LOOPBACK } from '../listen.js';

/** fauxqs (SQS, SNS and S3 on one port), in this process: nothing to leave behind. */
export async function startFauxqsServer(port: number, hint: string): Promise<FauxqsServer> {
  try {
    return await startFauxqs({ port, host: LOOPBACK, logger: false, defaultRegion: 'us-east-1' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SandboxError(
        `port ${port} is busy: fauxqs (SQS, SNS, S3) cannot listen on ${LOOPBACK}:${port} (choose another with ${hint})`,
      );
    }
    throw error;
  }
}
