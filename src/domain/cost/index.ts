export { costPerInference, jobCosts, priceOf } from './gpu-cost.js';
export type { GpuPrices, GpuUsage, JobCost } from './gpu-cost.js';
