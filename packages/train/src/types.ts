// Where the rules learn a value's dtype and shape: the caller's map, GraphBuilder.typeOf (filled
// by Ops for node outputs), then the graph's inputs, initializers and annotations.
import { ExpError } from '@exp/data';
import type { DataType, Dim, GraphBuilder } from '@exp/models/onnx';

export interface TypeInfo {
  readonly dtype: DataType;
  readonly shape: readonly Dim[];
}

export type TypeMap = ReadonlyMap<string, TypeInfo>;

export class GradientError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'GradientError';
  }
}

export function typeLookup(
  g: GraphBuilder,
  types?: TypeMap,
): (name: string) => TypeInfo | undefined {
  // declared types, indexed once (the rules ask about forward values only)
  const declared = new Map<string, TypeInfo>();
  for (const t of g.initializers) declared.set(t.name, { dtype: t.dtype, shape: t.dims });
  for (const v of [...g.valueInfos, ...g.inputs]) declared.set(v.name, v);
  return (name) => types?.get(name) ?? g.typeOf(name) ?? declared.get(name);
}
