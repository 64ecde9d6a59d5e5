// Where the rules learn a value's dtype and shape: the caller's map, GraphBuilder.typeOf (filled
// by Ops for node outputs), then the graph's inputs, initializers and annotations.
import type { DataType, Dim, GraphBuilder } from '@exp/models';

export interface TypeInfo {
  readonly dtype: DataType;
  readonly shape: readonly Dim[];
}

export type TypeMap = ReadonlyMap<string, TypeInfo>;

/** GraphBuilder with dtype/shape inference (present once @exp/models ships it). */
interface Typed {
  typeOf?: (v: string) => TypeInfo | undefined;
}

export class GradientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientError';
  }
}

export function typeLookup(
  g: GraphBuilder,
  types?: TypeMap,
): (name: string) => TypeInfo | undefined {
  const typed = g as GraphBuilder & Typed;
  return (name) => {
    const t = types?.get(name) ?? typed.typeOf?.(name);
    if (t) return t;
    const info = g.inputs.find((v) => v.name === name) ?? g.valueInfos.find((v) => v.name === name);
    if (info) return info;
    const init = g.initializers.find((v) => v.name === name);
    return init && { dtype: init.dtype, shape: init.dims };
  };
}
