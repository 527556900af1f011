import type { ProjectOptions } from '../utils/options.js';

export type PythonAppGeneratorSchema = ProjectOptions;
