import { type RedisClient, RedisTokenStore } from '@qonto-oauth/redis';
import { type Cluster as Cluster5, Redis as Redis5 } from 'ioredis-5';
import { describe, expect, expectTypeOf, it } from 'vitest';

// `pnpm typecheck` checks these types: an app on ioredis 5 passes its own client without a cast.
describe('the client a store takes', () => {
  it('is an ioredis 5 or 6 Redis or Cluster, typed by what the stores call on it', () => {
    expectTypeOf<Redis5>().toMatchTypeOf<RedisClient>();
    expectTypeOf<Cluster5>().toMatchTypeOf<RedisClient>();
    expectTypeOf<import('ioredis').Redis>().toMatchTypeOf<RedisClient>();
    expectTypeOf<import('ioredis').Cluster>().toMatchTypeOf<RedisClient>();
    const client = new Redis5({ lazyConnect: true });
    try {
      expect(new RedisTokenStore({ client })).toBeInstanceOf(RedisTokenStore);
    } finally {
      client.disconnect();
    }
  });
});
