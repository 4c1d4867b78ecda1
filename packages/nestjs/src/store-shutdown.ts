import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { QontoModuleOptions } from './options.js';
import { QONTO_MODULE_OPTIONS } from './tokens.js';

/**
 * Closes the stores given in the module's options (`store`, `connections.store`) when the app shuts down
 * (`app.close()`, or a signal with `enableShutdownHooks()`), so a `RedisTokenStore` or `RedisConnectionStore`
 * created inline in `forRoot` does not keep the process alive. A store closes only the Redis client it opened
 * itself: one built on your own `client` leaves it open.
 */
@Injectable()
export class QontoStoreShutdown implements OnApplicationShutdown {
  constructor(@Inject(QONTO_MODULE_OPTIONS) private readonly options: QontoModuleOptions) {}

  async onApplicationShutdown(): Promise<void> {
    const stores = new Set<unknown>([this.options?.store, this.options?.connections?.store]);
    await Promise.all(
      [...stores].map((store) => {
        const close = (store as { close?: unknown } | undefined)?.close;
        return typeof close === 'function' ? (close.call(store) as Promise<void>) : undefined;
      }),
    );
  }
}
