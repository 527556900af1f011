/** Options of the `nx-pex:test` executor (mirrors schema.json). */
export interface TestExecutorOptions {
  groups?: string[];
  python?: string;
  args?: string[];
}
