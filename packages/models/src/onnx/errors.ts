// GraphError lives apart from graph.ts so type inference (infer.ts), which graph.ts calls, can
// throw it without an import cycle.
import { ExpError } from '@exp/data';

export class GraphError extends ExpError {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}
