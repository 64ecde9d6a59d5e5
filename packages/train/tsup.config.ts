import { tsupConfig } from '../../tools/tsup.preset.mjs';

export default tsupConfig();
