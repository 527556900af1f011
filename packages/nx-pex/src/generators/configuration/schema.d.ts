export interface ConfigurationGeneratorSchema {
  project: string;
  type?: 'app' | 'lib';
  entryPoint?: string;
  force?: boolean;
  skipFormat?: boolean;
}
