// A full garbage collection on demand, for the big output copies of a training run.
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Runs V8's full GC now. onnxruntime-node 1.30 returns a copy of every output, even of one it
 * wrote into a preallocated tensor: after an accumulating run 1.5 GB (375M parameters) of
 * garbage that V8 would free only when it next collects, possibly after the next run or
 * AdamW's first step has allocated its own. `global.gc` exists only under --expose-gc, so the
 * flag is set at run time and gc taken from a fresh context (a documented V8 idiom).
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
