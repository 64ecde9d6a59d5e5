// GraphError lives apart from graph.ts so type inference (infer.ts), which graph.ts calls, can
// throw it without an import cycle.
export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}
