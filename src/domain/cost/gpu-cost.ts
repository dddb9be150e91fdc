/** USD per allocated GPU-hour, by GPU model name (as dcgm-exporter reports it), with a default. */
export interface GpuPrices {
  default_usd_per_hour: number;
  by_gpu_model: Record<string, number>;
}

export interface GpuUsage {
  namespace: string;
  job: string;
  gpu_model: string;
  gpu_hours: number;
}

export interface JobCost {
  namespace: string;
  job: string;
  gpu_hours: number;
  usd: number;
}

export const priceOf = (prices: GpuPrices, gpuModel: string): number => prices.by_gpu_model[gpuModel] ?? prices.default_usd_per_hour;

/** GPU cost per namespace and job: allocated GPU-hours × the price of each GPU model. */
export function jobCosts(usage: readonly GpuUsage[], prices: GpuPrices): JobCost[] {
  const byJob = new Map<string, JobCost>();
  for (const u of usage) {
    const key = `${u.namespace}\u0000${u.job}`;
    const cost = byJob.get(key) ?? { namespace: u.namespace, job: u.job, gpu_hours: 0, usd: 0 };
    cost.gpu_hours += u.gpu_hours;
    cost.usd += u.gpu_hours * priceOf(prices, u.gpu_model);
    byJob.set(key, cost);
  }
  return [...byJob.values()];
}

/**
 * Cost per inference of each model: the GPU cost of jobs named after the model (a serving
 * workload's job label is its InferenceService/Deployment, named for the model) over its requests.
 * Models without GPU usage or without requests get no figure.
 */
export function costPerInference(costs: readonly JobCost[], requests: ReadonlyArray<{ model: string; requests: number }>): Array<{ model: string; usd: number }> {
  const usdByJob = new Map<string, number>();
  for (const c of costs) usdByJob.set(c.job, (usdByJob.get(c.job) ?? 0) + c.usd);
  return requests.filter((r) => r.requests > 0 && usdByJob.has(r.model)).map((r) => ({ model: r.model, usd: (usdByJob.get(r.model) as number) / r.requests }));
}
