/** Every Redis URL a config uses. */
export function redisUrls(config: { state: object; queue: object; cluster: { enabled?: boolean; redis?: string } }): string[] {
  const urls: string[] = [];
  if ('redis' in config.state && typeof config.state.redis === 'string') urls.push(config.state.redis);
  if ('redis' in config.queue && typeof config.queue.redis === 'string') urls.push(config.queue.redis);
  if (config.cluster.enabled && config.cluster.redis) urls.push(config.cluster.redis);
  return urls;
}
