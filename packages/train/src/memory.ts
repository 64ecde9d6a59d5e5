// A full garbage collection on demand, for the training loop's big gradient arrays.
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Runs V8's full GC now. Each onnxruntime run hands back fresh gradient arrays (1.5 GB at 375M
 * parameters) and the previous ones become garbage that V8 frees only when it next collects,
 * which may be after the next run has allocated onnxruntime's own 1.5 GB: collecting between
 * runs keeps the peak one gradient copy lower. `global.gc` exists only under --expose-gc, so the
 * flag is set at run time and gc taken from a fresh context (a documented V8 idiom).
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
