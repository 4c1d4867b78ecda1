import { connectionTokenKey, QontoConnections, type TokenSet } from '@qonto-oauth/core';
import { RedisConnectionStore, RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisCluster, startRedisCluster } from '@qonto-oauth/redis/testing';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QontoFixture, startQonto } from './helpers/qonto.js';
import { startWorkers, type Worker } from './helpers/workers.js';

let qonto: QontoFixture;
let cluster: RedisCluster;
let client: Cluster;
let workers: Worker[] = [];

beforeAll(async () => {
  [qonto, cluster] = await Promise.all([startQonto(), startRedisCluster()]);
  client = new Cluster(cluster.nodes);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  client?.disconnect();
  await Promise.all([qonto?.close(), cluster?.close()]);
});

/** The port of the node serving `slot`, from CLUSTER SLOTS. */
async function nodeOfSlot(slot: number): Promise<number> {
  const ranges = await client.cluster('SLOTS');
  const master = ranges.find(([from, to]) => from <= slot && slot <= to)?.[2];
  if (master === undefined) throw new Error(`no node serves slot ${slot}`);
  return master[1];
}

describe('RedisTokenStore on a Redis Cluster', () => {
  it('refreshes each connection once across processes, with the slot of each connection on a different node', async () => {
    // One connection key per node: a key's slot comes from its hash tag, the connection key itself.
    const keyOnNode = new Map<number, string>();
    for (let i = 0; keyOnNode.size < cluster.nodes.length; i += 1) {
      const key = `organization-${i}`;
      const port = await nodeOfSlot(
        Number(await client.cluster('KEYSLOT', `qonto-oauth:connection:{${key}}`)),
      );
      if (!keyOnNode.has(port)) keyOnNode.set(port, key);
    }

    const store = new RedisTokenStore({ client });
    const connections = new Map<string, TokenSet>();
    for (const key of keyOnNode.values()) {
      const tokens = await qonto.connectExpired();
      await store.set(key, tokens);
      connections.set(key, tokens);
    }
    qonto.clearRequests();

    workers = await startWorkers(2, qonto.workerConfig({ cluster: cluster.nodes }));
    const targets = [...connections].map(([key, tokens]) => ({ key, tokens }));
    const results = (
      await Promise.all(workers.map((w) => w.run({ mode: 'manager', callsPerTarget: 100, targets })))
    ).flat();

    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(qonto.refreshRequests()).toBe(keyOnNode.size);
    for (const [port, key] of keyOnNode) {
      const tokens = new Set(results.filter((r) => r.key === key).map((r) => r.accessToken));
      expect(tokens.size).toBe(1);
      // The rotated set lives on the node that serves the connection's slot, read there without redirection.
      const node = new Redis({ host: '127.0.0.1', port });
      const stored = JSON.parse((await node.get(`qonto-oauth:connection:{${key}}`))!) as TokenSet;
      node.disconnect();
      expect(stored.accessToken).toBe([...tokens][0]);
      expect(stored.refreshToken).not.toBe(connections.get(key)!.refreshToken);
      expect(await client.cluster('KEYSLOT', `qonto-oauth:connection:{${key}}:lock`)).toBe(
        await client.cluster('KEYSLOT', `qonto-oauth:connection:{${key}}`),
      );
    }
  });
});

describe('RedisConnectionStore on a Redis Cluster', () => {
  it('connects, lists by user and organization, and disconnects: no command spans two slots', async () => {
    const store = new RedisConnectionStore({ client });
    const connections = new QontoConnections({
      client: qonto.oauth,
      store,
      stagingToken: qonto.sandbox.stagingToken,
    });
    const user = qonto.sandbox.users.find((u) => u.organizations.length > 1)!;
    const organizationIds = user.organizations.map((o) => o.id);
    for (const organizationId of organizationIds) {
      const { url } = await connections.start('cluster-user', { organizationId });
      await connections.complete(
        'cluster-user',
        await completeAuthorization(url, { ...user, organizationId }),
      );
    }
    expect((await connections.list('cluster-user')).map((c) => c.organizationId).sort()).toEqual(
      [...organizationIds].sort(),
    );
    expect((await store.listByOrganization(organizationIds[0]!)).map((r) => r.userKey)).toEqual([
      'cluster-user',
    ]);
    expect(await store.tokens.get(connectionTokenKey('cluster-user', organizationIds[1]!))).toBeDefined();
    expect(await connections.disconnect('cluster-user', organizationIds[0]!)).toEqual({ revoked: true });
    expect((await connections.list('cluster-user')).map((c) => c.organizationId)).toEqual([
      organizationIds[1],
    ]);
  });
});
