import type { RelayConfig } from './config/settings.ts';
import type { RelayService } from './service.ts';
import { BlobStoreService } from './blobs/blob-service.ts';
import { StoreAndForward } from './services/store-and-forward.ts';

/** The services `kith-relay` runs, in start order. */
export function relayServices(config: RelayConfig): RelayService[] {
  return [new StoreAndForward(config), new BlobStoreService(config)];
}
