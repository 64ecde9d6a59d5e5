// Parameters as the training loop holds them: float32 values with their dims, by state-dict name.
import { ExpError } from '@exp/data';
import { openCheckpoint } from '@exp/models';

export interface CheckpointParam {
  data: Float32Array;
  dims: readonly number[];
}
export type CheckpointParams = ReadonlyMap<string, CheckpointParam>;

export class CheckpointWriteError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointWriteError';
  }
}

/** Every tensor of a checkpoint folder (single file or sharded) as float32 (BF16/F16 widened). */
export function readCheckpointParams(dir: string): Map<string, CheckpointParam> {
  const ckpt = openCheckpoint(dir);
  try {
    return new Map(
      ckpt.names().map((n) => [n, { data: ckpt.readFloat32(n), dims: ckpt.info(n).shape }]),
    );
  } finally {
    ckpt.close();
  }
}
