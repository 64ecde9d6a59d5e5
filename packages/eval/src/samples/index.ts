export { SampleRecordSchema, type SampleRecord } from './record.js';
export { SampleLog, readSampleLog } from './log.js';
