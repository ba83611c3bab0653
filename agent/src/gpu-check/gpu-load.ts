// The GPU load of the idle check: a tiny CUDA busy kernel built with nvcc, or where there is no nvcc
// a PyTorch matmul loop. Each runs for a given number of seconds and exits 0, or prints the error.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeProbeFailure, lastLine } from './exec';
import type { ProbeRunner } from './exec';
import type { LoadKind } from './plan';
import type { Teardown } from './teardown';

/**
 * Keeps every SM of GPU 0 busy: many blocks of a long chain of dependent FMAs (nothing the compiler
 * can fold), relaunched until the time is up, so utilization reads ~100% for the whole run.
 */
export const BUSY_KERNEL_SOURCE = `// gpu-check busy kernel: keeps GPU 0 fully busy for argv[1] seconds.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

__global__ void spin(float *sink, int iterations) {
  float x = threadIdx.x * 1e-3f;
  for (int i = 0; i < iterations; ++i) x = fmaf(x, 0.9999999f, 1e-7f);
  sink[blockIdx.x * blockDim.x + threadIdx.x] = x;
}

static void check(cudaError_t status, const char *what) {
  if (status != cudaSuccess) {
    fprintf(stderr, "%s: %s\\n", what, cudaGetErrorString(status));
    exit(1);
  }
}

int main(int argc, char **argv) {
  const double seconds = argc > 1 ? atof(argv[1]) : 0;
  if (!(seconds > 0)) {
    fprintf(stderr, "usage: %s SECONDS\\n", argv[0]);
    return 2;
  }
  cudaDeviceProp props;
  check(cudaGetDeviceProperties(&props, 0), "cudaGetDeviceProperties");
  const int threads = 256;
  const int blocks = props.multiProcessorCount * 8;
  float *sink = nullptr;
  check(cudaMalloc(&sink, sizeof(float) * blocks * threads), "cudaMalloc");
  const auto start = std::chrono::steady_clock::now();
  long launches = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    spin<<<blocks, threads>>>(sink, 1 << 20);
    check(cudaGetLastError(), "kernel launch");
    check(cudaDeviceSynchronize(), "kernel run");
    ++launches;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  check(cudaFree(sink), "cudaFree");
  printf("busy kernel on %s: %ld launches in %.1f s\\n", props.name, launches, elapsed);
  return 0;
}
`;

/** Same idea with PyTorch: back-to-back 8192² matmuls on GPU 0. */
export const TORCH_LOAD_SOURCE = `# gpu-check load: back-to-back matmuls on GPU 0 for argv[1] seconds.
import sys, time, torch
seconds = float(sys.argv[1])
a = torch.randn(8192, 8192, device="cuda")
b = torch.randn(8192, 8192, device="cuda")
end = time.monotonic() + seconds
count = 0
while time.monotonic() < end:
    for _ in range(4):
        c = a @ b
    torch.cuda.synchronize()
    count += 4
print(f"matmul load on {torch.cuda.get_device_name(0)}: {count} matmuls in {seconds:.1f} s")
`;

export interface Command {
  command: string;
  args: string[];
}

/**
 * No -arch: nvcc then embeds PTX for its default architecture, which the driver JIT-compiles for
 * whatever GPU is present (sm_90 on an H100/H200), so one build works on any node; the busy loop
 * does not need architecture-specific code.
 */
export function nvccBuildCommand(nvccPath: string, sourcePath: string, binaryPath: string): Command {
  return { command: nvccPath, args: ['-O2', '-o', binaryPath, sourcePath] };
}

export const NVCC_BUILD_TIMEOUT_MS = 180_000;

/** Writes the load program into the directory (and builds it with nvcc); returns the command that runs it for the given time. */
export async function prepareLoad(
  kind: LoadKind,
  options: { directory: string; nvccPath: string | null; run: ProbeRunner; env: NodeJS.ProcessEnv; seconds: number },
): Promise<{ ok: true; command: Command } | { ok: false; reason: string }> {
  const seconds = String(options.seconds);
  if (kind === 'torch') {
    const script = path.join(options.directory, 'gpu-load.py');
    await writeFile(script, TORCH_LOAD_SOURCE);
    return { ok: true, command: { command: 'python3', args: [script, seconds] } };
  }
  if (options.nvccPath === null) return { ok: false, reason: 'no nvcc' };
  const source = path.join(options.directory, 'busy-kernel.cu');
  const binary = path.join(options.directory, 'busy-kernel');
  await writeFile(source, BUSY_KERNEL_SOURCE);
  const build = nvccBuildCommand(options.nvccPath, source, binary);
  // nvcc's intermediate files go to TMPDIR; inside the run's directory they go with it, even when nvcc is killed.
  const env = { ...options.env, TMPDIR: options.directory };
  const result = await options.run(build.command, build.args, { env, timeoutMs: NVCC_BUILD_TIMEOUT_MS, cwd: options.directory });
  if (result.outcome !== 'exited' || result.exitCode !== 0) return { ok: false, reason: `building the busy kernel failed: ${describeProbeFailure('nvcc', result)}` };
  return { ok: true, command: { command: binary, args: [seconds] } };
}

export interface LoadOutcome {
  exitCode: number | null;
  /** The program's last line: its summary, or the CUDA/Python error. */
  lastOutput: string;
}

/** Starts the load (tracked for teardown); resolves when it exits. */
export function startLoad(command: Command, env: NodeJS.ProcessEnv, teardown: Teardown): Promise<LoadOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    teardown.trackChild(child, 2000);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4096);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve({ exitCode: null, lastOutput: error.message }));
    child.once('close', (code, signal) => resolve({ exitCode: code, lastOutput: lastLine(output) || (signal ? `killed by ${signal}` : '') }));
  });
}
