/** Options of the `nx-pex:pex` executor (mirrors schema.json). */
export interface PexExecutorOptions {
  entryPoint?: string;
  script?: string;
  outputPath?: string;
  layout?: 'zipapp' | 'packed' | 'loose';
  python?: string;
  pythons?: string[];
  platforms?: string[];
  completePlatforms?: string[];
  interpreterConstraints?: string[];
  shebang?: string;
  sourceRoot?: string;
  exclude?: string[];
  injectArgs?: string[];
  injectEnv?: Record<string, string>;
  inheritPath?: 'false' | 'prefer' | 'fallback';
  stripPexEnv?: boolean;
  excluded?: string[];
}
