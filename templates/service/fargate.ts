/**
 * Task size: the CPU and memory combinations Fargate accepts, as parameters plus template `Rules`,
 * so a combination Fargate would refuse fails when the stack is created or updated, before any
 * resource is touched (not minutes later, when the task definition is registered).
 */
import { Fn, type IntrinsicFunction } from '../kit/cf';
import type { TemplateBuilder } from '../kit/builder';
import { contains } from './cfn';

const GiB = 1024;
const range = (fromGiB: number, toGiB: number, stepGiB: number): number[] =>
  Array.from({ length: (toGiB - fromGiB) / stepGiB + 1 }, (_v, i) => (fromGiB + i * stepGiB) * GiB);

/**
 * Fargate's task sizes (Linux): CPU units -> allowed memory in MiB. From the AWS Fargate task-size
 * table; 8 and 16 vCPU need platform version 1.4.0 or later (what `LATEST` gives).
 */
export const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': range(1, 4, 1),
  '1024': range(2, 8, 1),
  '2048': range(4, 16, 1),
  '4096': range(8, 30, 1),
  '8192': range(16, 60, 4),
  '16384': range(32, 120, 8),
};

/** Every memory size any Fargate CPU size accepts, ascending (the Memory parameter's values). */
export const FARGATE_MEMORY = [...new Set(Object.values(FARGATE_SIZES).flat())].sort((a, b) => a - b).map(String);

export interface TaskSize {
  launchType: IntrinsicFunction;
  cpu: IntrinsicFunction;
  memory: IntrinsicFunction;
  architecture: IntrinsicFunction;
}

/** Declares LaunchType, Cpu, Memory and CpuArchitecture with a rule per Fargate CPU size. */
export function taskSizeParams(t: TemplateBuilder<'application'>): TaskSize {
  const group = 'Task size';
  const launchType = t.param('LaunchType', {
    Type: 'String',
    Default: 'FARGATE',
    AllowedValues: ['FARGATE', 'EC2'],
    label: 'Launch type',
    group,
    Description:
      "What the task definition is made for. Match the cluster's DefaultCapacityStrategy: FARGATE for the Fargate strategies, EC2 for EC2 capacity (services use the cluster's strategy).",
  });
  const cpu = t.param('Cpu', {
    Type: 'String',
    Default: '256',
    AllowedValues: Object.keys(FARGATE_SIZES),
    label: 'CPU units (1024 = 1 vCPU)',
    group,
    Description:
      'CPU for the task: a hard limit on Fargate. Fargate allows: 256 -> 512-2048 MiB; 512 -> 1-4 GiB; 1024 -> 2-8 GiB; 2048 -> 4-16 GiB; 4096 -> 8-30 GiB; 8192 -> 16-60 GiB (4 GiB steps); 16384 -> 32-120 GiB (8 GiB steps).',
  });
  const memory = t.param('Memory', {
    Type: 'String',
    Default: '512',
    AllowedValues: FARGATE_MEMORY,
    label: 'Memory (MiB)',
    group,
    Description:
      'Memory for the task in MiB: the container is stopped if it uses more. Must suit the CPU (see Cpu); 512 is enough for a small Node.js app, Java needs more.',
  });
  const architecture = t.param('CpuArchitecture', {
    Type: 'String',
    Default: 'X86_64',
    AllowedValues: ['X86_64', 'ARM64'],
    label: 'CPU architecture',
    group,
    Description:
      "X86_64, or ARM64 (Graviton: cheaper per vCPU) for images built for arm64. On EC2 the cluster's instances must match.",
  });
  for (const [size, memories] of Object.entries(FARGATE_SIZES)) {
    t.rule(`FargateMemoryForCpu${size}`, {
      RuleCondition: Fn.And([Fn.Equals(launchType, 'FARGATE'), Fn.Equals(cpu, size)]),
      Assertions: [
        {
          Assert: contains(memories.map(String), memory),
          AssertDescription: `Fargate with ${size} CPU units takes ${describe(memories)} MiB of memory.`,
        },
      ],
    });
  }
  return { launchType, cpu, memory, architecture };
}

function describe(memories: number[]): string {
  return memories.length <= 3 ? memories.join(', ') : `${memories[0]} to ${memories[memories.length - 1]}`;
}
