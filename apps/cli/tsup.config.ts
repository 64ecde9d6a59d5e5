import { tsupConfig } from '../../tools/tsup.preset.mjs';

export default tsupConfig({
  entry: ['src/main.ts'],
  dts: false,
  banner: { js: '#!/usr/bin/env node' },
});
