// `node --import test/helpers/module-recorder.mjs …`: appends every module
// the process resolves (its file: URL, one a line) to MODULE_RECORD_FILE,
// so a test can tell which packages a kpid process loaded.
import { register } from 'node:module';

register('./module-recorder-hooks.mjs', import.meta.url);
