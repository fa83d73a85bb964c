/** Start-up check of the Redis eviction policy (BullMQ needs `noeviction`), on a short-lived connection. */
import { checkEvictionPolicy, type EvictionPolicyDecision, type Logger, redisOptions } from '@linksnap/shared';
import { Redis } from 'ioredis';

export async function checkRedisEviction(
  redisUrl: string,
  nodeEnv: string,
  logger?: Logger,
): Promise<EvictionPolicyDecision> {
  const probe = new Redis({ ...redisOptions(redisUrl), maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  probe.on('error', () => {});
  try {
    return await checkEvictionPolicy(probe, nodeEnv, logger);
  } finally {
    probe.disconnect();
  }
}
