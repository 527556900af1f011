/** Options of the `nx-pex:pex` executor (mirrors schema.json). */
export interface PexExecutorOptions {
  entryPoint?: string;
  outputPath?: string;
  python?: string;
  shebang?: string;
  sourceRoot?: string;
}
