#!/usr/bin/env bash
# GPU readiness check: the quick test and the real-shape decode bench on one device, with every
# completion compared against a reference run, so that a session lent a GPU spends its minutes
# measuring. Prints one summary block; exit 0 when every step ran (and, on CPU, when the
# completions agree exactly), 1 when a step failed, 3 when the device is not usable here.
#
#   tools/gpu-check.sh [--device cuda|cpu] [--smoke] [--out DIR] [--bench-models a,b]
#
# --device cuda: the run on CUDA, the reference on CPU (same batch size); agreement is reported,
#   not required (GPU kernels round differently, greedy paths can part after a near-tie).
# --device cpu: the same path on CPU, the reference at batch size 1, so agreement must be exact
#   (greedy completions are batch-invariant); CI runs this with --smoke.
# --smoke: two problems of two sets, a two-item fine-tune, 16 new tokens, the tiny bench model:
#   the smallest work that walks every step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DEVICE=cuda
SMOKE=0
OUT=""
BENCH_MODELS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE="${2:-}"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    --out) OUT="${2:-}"; shift 2 ;;
    --bench-models) BENCH_MODELS="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: gpu-check: unknown option '$1' (options: --device, --smoke, --out, --bench-models)" >&2; exit 2 ;;
  esac
done
case "$DEVICE" in
  cpu|cuda) ;;
  *) echo "error: --device: expected one of cpu, cuda, got \"$DEVICE\"" >&2; exit 2 ;;
esac
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/gpu-check-XXXXXX")}
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
: >"$LOG"
say() { echo "gpu-check: $*" | tee -a "$LOG"; }

# Preflight: what is missing is said in one line, before any minute is spent.
if ! command -v node >/dev/null; then say "no node on PATH (Node >= 22: the 'node' npm package ships one)"; exit 3; fi
if ! command -v pnpm >/dev/null; then say "no pnpm on PATH (npm install -g pnpm@12.4.2)"; exit 3; fi
if [ ! -d node_modules ] || [ ! -f packages/models/dist/index.js ]; then
  say "the workspace is not installed and built here (pnpm install --frozen-lockfile)"; exit 3
fi
say "device $DEVICE, node $(node --version), $(nproc) cores, out $OUT"
if [ "$DEVICE" = cuda ]; then
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/gpu-check: gpu /' | tee -a "$LOG"
  pnpm --silent exp doctor >"$OUT/doctor.out" 2>&1 || true
  if ! grep -q '^ok *onnxruntime cuda' "$OUT/doctor.out"; then
    say "the CUDA execution provider does not load here: $(grep 'onnxruntime cuda' "$OUT/doctor.out" | sed 's/  */ /g')"
    exit 3
  fi
fi

# Every run of this check lives under $OUT: data, models cache, results.
export EXP_DATA_DIR="$OUT/data" EXP_RESULTS_DIR="$OUT/results" EXP_MODELS_DIR="$OUT/models"
export EXP_GSM8K_DIR="${EXP_GSM8K_DIR:-$(cd .. && pwd)/shared/data/gsm8k}" HF_HUB_OFFLINE=1
export EXP_PROGRESS=never
MODELS=tiny-llama,tiny-diffllama
if [ "$SMOKE" = 1 ]; then
  printf '%s\n' '{"name":"gpu-check","prompt":{"template":"bare"},"generation":{"maxNewTokens":16,"repetitionPenalty":1.1},"extractors":["seed","strict"]}' >"$OUT/task.json"
  RUN_ARGS=(--models "$MODELS" --datasets clean,inf --max-samples 2 --enable-sft --sft-samples 2
    --sft-epochs 1 --attention-samples 1 --skip-report --task "$OUT/task.json")
  BENCH=(--models "${BENCH_MODELS:-tiny-llama}" --batches 1,4 --new 16 --repeats 1 --runners external-kv)
else
  RUN_ARGS=(--quick-test --models "$MODELS")
  BENCH=(--models "${BENCH_MODELS:-random-375m}" --batches 1,16,32 --new 128 --repeats 2 --runners external-kv)
fi

timed() { # name, command...: runs it, logs its output, records its wall time
  local name=$1 t0 rc=0
  shift
  t0=$EPOCHREALTIME
  "$@" >"$OUT/$name.out" 2>&1 || rc=$?
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }' >"$OUT/$name.seconds"
  [ "$rc" = 0 ] || { say "$name failed (exit $rc): $(tail -n 3 "$OUT/$name.out" | tr '\n' ' ')"; return 1; }
}

REF_DEVICE=cpu
REF_BATCH=8
[ "$DEVICE" = cpu ] && REF_BATCH=1
timed run-device pnpm --silent exp run "${RUN_ARGS[@]}" --device "$DEVICE" --batch-size 8 --run-id "device-$DEVICE" || exit 1
say "run on $DEVICE: $(cat "$OUT/run-device.seconds") s"
timed run-reference pnpm --silent exp run "${RUN_ARGS[@]}" --device "$REF_DEVICE" --batch-size "$REF_BATCH" --run-id reference || exit 1
say "reference on $REF_DEVICE (batch $REF_BATCH): $(cat "$OUT/run-reference.seconds") s"

# Completion agreement, sample by sample, zero-shot and post-SFT.
AGREE=$(node "$ROOT/tools/gpu-check-compare.mjs" "$OUT/results/device-$DEVICE" "$OUT/results/reference")
echo "$AGREE" | sed 's/^/gpu-check: /' | tee -a "$LOG"

timed bench pnpm --silent bench generate "${BENCH[@]}" --device "$DEVICE" || exit 1
grep -E '^\|' "$OUT/bench.out" | sed 's/^/gpu-check: /' | tee -a "$LOG"

if [ "$DEVICE" = cpu ] && ! echo "$AGREE" | grep -q '^all identical'; then
  say "FAIL: CPU completions differ between batch sizes 8 and 1"
  exit 1
fi
say "done; log and outputs in $OUT"
