import { describe, expect, test } from 'vitest';
import { jobFromPodName, jobOf } from '../../../collectors/gpu/pod-job.js';

describe('jobFromPodName', () => {
  test.each([
    ['a Job pod drops the random suffix the Job controller adds', 'train-resnet-7x2kq', 'train-resnet'],
    ['a PyTorchJob master drops -master-0', 'bert-finetune-master-0', 'bert-finetune'],
    ['a PyTorchJob worker drops -worker-N', 'bert-finetune-worker-12', 'bert-finetune'],
    ['a TFJob chief drops -chief-0', 'mnist-tf-chief-0', 'mnist-tf'],
    ['a numbered job name is not mistaken for a suffix', 'resnet-50', 'resnet-50'],
    ['a suffix with a vowel is not a Job controller suffix', 'eval-model-alpha', 'eval-model-alpha'],
    ['a name without a suffix is kept', 'notebook', 'notebook'],
  ])('%s (%s → %s)', (_name, pod, job) => {
    expect(jobFromPodName(pod)).toBe(job);
  });
});

describe('jobOf', () => {
  test('a resolver wins over the heuristic, and an unknown pod has no job', () => {
    const resolver = (pod: string, namespace: string) => (pod === 'train-resnet-7x2kq' && namespace === 'vision' ? 'resnet-nightly' : undefined);
    expect(jobOf('train-resnet-7x2kq', 'vision', resolver)).toBe('resnet-nightly');
    expect(jobOf('other-7x2kq', 'vision', resolver)).toBe('');
  });

  test('no pod, no job', () => {
    expect(jobOf('', '')).toBe('');
  });
});
