export {
  describeMissing,
  findPythons,
  SUPPORTED_PYTHONS,
  type FoundPython,
  type PythonsFound,
} from './find-pythons.js';
export { isolatedPipEnv } from './pip-env.js';
