export interface PythonAppGeneratorSchema {
  name: string;
  directory?: string;
  dependencies?: string;
  requiresPython?: string;
  skipFormat?: boolean;
}
