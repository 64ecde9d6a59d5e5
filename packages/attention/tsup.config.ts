import { LONG_TYPES, tsupConfig } from '../../tools/tsup.preset.mjs';

export default tsupConfig(LONG_TYPES);
