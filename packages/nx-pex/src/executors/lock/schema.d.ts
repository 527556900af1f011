/** Options of the `nx-pex:lock` executor (mirrors schema.json). */
export interface LockExecutorOptions {
  check?: boolean;
  pythons?: string[];
  workspace?: boolean;
  platforms?: string[];
  completePlatforms?: string[];
}
